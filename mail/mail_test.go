package mail_test

import (
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"
	"testing"
	"time"

	"github.com/openbilling/billing/internal/testkit/pgtest"
	"github.com/openbilling/billing/internal/testkit/smtptest"
	billingmail "github.com/openbilling/billing/mail"
	"github.com/openbilling/billing/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// The outbox goes out over real SMTP with each message's stable
// Message-ID; a refused message is tried again after its delay, and sent
// once accepted, never again.
func TestTheOutboxIsSentOverSMTPAndARefusedMessageIsRetried(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.NewDB(t)
	db.MustExec(`INSERT INTO outbox (message_id, recipient, subject, body, created_at, next_attempt_at) VALUES
		('<a@billing>', 'ana@example.com', 'Payment received: 24.00 USD', 'We received your payment of 24.00 USD.', '2026-08-08T00:00:00Z', '2026-08-08T00:00:00Z'),
		('<b@billing>', 'bo@example.com', 'Ihre Karte läuft ab', 'Bitte aktualisieren Sie Ihre Karte.', '2026-08-08T00:00:01Z', '2026-08-08T00:00:01Z')`)
	box := smtptest.Start(t, "bo@example.com")
	s := &billingmail.Sender{DB: store.New(db), Addr: box.Addr, From: "billing@example.com"}
	now := time.Date(2026, 8, 8, 0, 1, 0, 0, time.UTC)

	r, err := s.Send(context.Background(), now)
	if err != nil || r != (billingmail.Report{Sent: 1, Failed: 1}) {
		t.Fatalf("first send: %+v %v", r, err)
	}
	if r, err := s.Send(context.Background(), now.Add(30*time.Second)); err != nil || r != (billingmail.Report{}) {
		t.Fatalf("before the retry is due: %+v %v", r, err)
	}
	if r, err := s.Send(context.Background(), now.Add(time.Minute)); err != nil || r != (billingmail.Report{Sent: 1}) {
		t.Fatalf("the retry: %+v %v", r, err)
	}
	if r, err := s.Send(context.Background(), now.Add(time.Hour)); err != nil || r != (billingmail.Report{}) {
		t.Fatalf("after everything was sent: %+v %v", r, err)
	}

	var got []string
	for _, m := range box.Received() {
		subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
		got = append(got, strings.Join([]string{m.Header.Get("Message-ID"), m.Header.Get("To"), subject, strings.TrimSpace(string(body))}, " | "))
	}
	want := "<a@billing> | ana@example.com | Payment received: 24.00 USD | We received your payment of 24.00 USD.\n" +
		"<b@billing> | bo@example.com | Ihre Karte läuft ab | Bitte aktualisieren Sie Ihre Karte."
	if strings.Join(got, "\n") != want {
		t.Fatalf("received:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
	var attempts int
	if err := db.Get(&attempts, `SELECT attempts FROM outbox WHERE message_id = '<b@billing>'`); err != nil || attempts != 2 {
		t.Fatalf("attempts %d (%v)", attempts, err)
	}
}
