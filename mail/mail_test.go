package mail_test

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/openbilling/billing/internal/pgtest"
	billingmail "github.com/openbilling/billing/mail"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// inbox is an SMTP server of the test's own on 127.0.0.1 that keeps what it
// accepts; it refuses the first delivery to each address in refuseOnce.
type inbox struct {
	mu         sync.Mutex
	received   []*mail.Message
	refuseOnce map[string]bool
}

func (b *inbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{inbox: b}, nil }

type session struct {
	inbox *inbox
	to    string
}

func (s *session) Mail(string, *smtp.MailOptions) error { return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.inbox.mu.Lock()
	defer s.inbox.mu.Unlock()
	if s.inbox.refuseOnce[to] {
		delete(s.inbox.refuseOnce, to)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.to = to
	return nil
}
func (s *session) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(m.Body)
	if err != nil {
		return err
	}
	m.Body = strings.NewReader(string(body))
	s.inbox.mu.Lock()
	defer s.inbox.mu.Unlock()
	s.inbox.received = append(s.inbox.received, m)
	return nil
}
func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }

func startInbox(t *testing.T, refuseOnce ...string) (*inbox, string) {
	t.Helper()
	b := &inbox{refuseOnce: map[string]bool{}}
	for _, a := range refuseOnce {
		b.refuseOnce[a] = true
	}
	srv := smtp.NewServer(b)
	srv.Domain = "localhost"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			t.Error(err)
		}
	}()
	t.Cleanup(func() { srv.Close() })
	return b, l.Addr().String()
}

// The outbox goes out over real SMTP with each message's stable
// Message-ID; a refused message is tried again after its delay, and sent
// once accepted, never again.
func TestTheOutboxIsSentOverSMTPAndARefusedMessageIsRetried(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.NewDB(t)
	db.MustExec(`INSERT INTO outbox (message_id, recipient, subject, body, created_at, next_attempt_at) VALUES
		('<a@billing>', 'ana@example.com', 'Payment received: 24.00 USD', 'We received your payment of 24.00 USD.', '2026-08-08T00:00:00Z', '2026-08-08T00:00:00Z'),
		('<b@billing>', 'bo@example.com', 'Ihre Karte läuft ab', 'Bitte aktualisieren Sie Ihre Karte.', '2026-08-08T00:00:01Z', '2026-08-08T00:00:01Z')`)
	box, addr := startInbox(t, "bo@example.com")
	s := &billingmail.Sender{DB: db, Addr: addr, From: "billing@example.com"}
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
	for _, m := range box.received {
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
