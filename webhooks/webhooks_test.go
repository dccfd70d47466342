package webhooks_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	osexec "os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/openbilling/billing/events"
	"github.com/openbilling/billing/internal/testkit/pgtest"
	"github.com/openbilling/billing/invoices"
	"github.com/openbilling/billing/store"
	"github.com/openbilling/billing/webhooks"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestTheSignatureIsTheStandardWebhooksTestVector(t *testing.T) {
	// The test vector of the Standard Webhooks specification and its
	// reference libraries.
	got, err := webhooks.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
		[]byte(`{"test": 2432232314}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
	secret := webhooks.NewSecret()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if !strings.HasPrefix(secret, "whsec_") || err != nil || len(key) != 32 {
		t.Fatalf("a new secret %q is not whsec_ and the base64 of 32 bytes (%v)", webhooks.Mask(secret), err)
	}
	if webhooks.NewSecret() == secret {
		t.Fatal("two new secrets are the same")
	}
}

// book is a database with accounts A1 and A2, the webhook service over it
// with a clock of the test's, and receivers on 127.0.0.1.
type book struct {
	t   *testing.T
	db  *sqlx.DB
	s   *webhooks.Service
	now time.Time
	seq int
}

func newBook(t *testing.T) *book {
	t.Helper()
	db, _ := pgtest.NewDB(t)
	for _, a := range []string{"A1", "A2"} {
		exec(t, db, `INSERT INTO accounts (account_id, name, country, currency, billing_day, email) VALUES ($1, $1, 'US', 'USD', 15, lower($1) || '@example.com')`, a)
	}
	b := &book{t: t, db: db, now: time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)}
	b.s = &webhooks.Service{DB: store.New(db), AllowHTTP: true, Client: webhooks.NewClient(true), Now: func() time.Time { return b.now }}
	b.s.Notify = func(ctx context.Context, tx *store.Tx, key, subject, body string) error {
		_, err := store.InsertMessagesTo(ctx, tx, []store.Message{{ID: "<" + key + "@billing>", To: "ops@example.com", Subject: subject, Body: body}})
		return err
	}
	return b
}

func exec(t *testing.T, db *sqlx.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// finalize issues an invoice of an account, with its ledger entry: its
// invoice.finalized event.
func (b *book) finalize(account, total string) string {
	b.t.Helper()
	b.seq++
	number := fmt.Sprintf("INV-2026-%06d", b.seq)
	tx := b.db.MustBegin()
	tx.MustExec(`INSERT INTO invoices (number, series, seq, account_id, type, billing, currency, window_start, window_end, issue_date, subtotal, tax, total)
		VALUES ($1, 'INV-2026', $2::int, $3, 'recurring', 'anniversary', 'USD', date '2020-01-01' + 40 * $2::int, date '2020-01-31' + 40 * $2::int, date '2020-02-01' + 40 * $2::int, $4, 0, $4)`, number, b.seq, account, total)
	tx.MustExec(`INSERT INTO ledger_entries (account_id, currency, kind, amount, invoice_number) VALUES ($1, 'USD', 'invoice', $2, $3)`, account, total, number)
	if err := tx.Commit(); err != nil {
		b.t.Fatal(err)
	}
	return number
}

func (b *book) add(url string, types []string, account string) (webhooks.Endpoint, string) {
	b.t.Helper()
	e, secret, err := b.s.Add(context.Background(), webhooks.AddRequest{URL: url, Events: types, AccountID: account})
	if err != nil {
		b.t.Fatal(err)
	}
	return e, secret
}

// fanOut hands the events to the endpoints and returns the deliveries.
func (b *book) fanOut() []int64 {
	b.t.Helper()
	if _, _, err := b.s.FanOut(context.Background()); err != nil {
		b.t.Fatal(err)
	}
	var ids []int64
	if err := b.db.Select(&ids, `SELECT delivery_id FROM webhook_deliveries WHERE status = 'pending' ORDER BY delivery_id`); err != nil {
		b.t.Fatal(err)
	}
	return ids
}

func (b *book) deliver(id int64, attempt int) webhooks.Result {
	b.t.Helper()
	res, err := b.s.Deliver(context.Background(), id, attempt)
	if err != nil {
		b.t.Fatal(err)
	}
	return res
}

func (b *book) query(query string, args ...any) string {
	b.t.Helper()
	var s string
	if err := b.db.Get(&s, query, args...); err != nil {
		b.t.Fatalf("%s: %v", query, err)
	}
	return s
}

// received is one request a receiver took.
type received struct {
	ID, Timestamp, Signature string
	Body                     []byte
}

// receiver is an endpoint on 127.0.0.1 answering with the codes given in
// turn (the last one after), recording each request.
type receiver struct {
	*httptest.Server
	mu    sync.Mutex
	got   []received
	codes []int
}

func newReceiver(t *testing.T, codes ...int) *receiver {
	r := &receiver{codes: codes}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{req.Header.Get("webhook-id"), req.Header.Get("webhook-timestamp"), req.Header.Get("webhook-signature"), body})
		code := r.codes[min(len(r.got), len(r.codes))-1]
		r.mu.Unlock()
		w.WriteHeader(code)
		fmt.Fprintf(w, "answered %d", code)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// verify checks a request as a receiver does, by the Standard Webhooks
// scheme: a v1 signature of id.timestamp.body by the secret, a timestamp
// within five minutes of now. It returns the event.
func verify(t *testing.T, r received, secret string, now time.Time) events.Event {
	t.Helper()
	ts, err := strconv.ParseInt(r.Timestamp, 10, 64)
	if err != nil || now.Sub(time.Unix(ts, 0)).Abs() > 5*time.Minute {
		t.Fatalf("webhook-timestamp %q is not within five minutes of %s", r.Timestamp, now)
	}
	if !signedBy(r, secret) {
		t.Fatalf("webhook-signature %q has no signature by the secret", r.Signature)
	}
	var e events.Event
	if err := json.Unmarshal(r.Body, &e); err != nil {
		t.Fatal(err)
	}
	if e.ID != r.ID {
		t.Fatalf("webhook-id %s, event id %s", r.ID, e.ID)
	}
	return e
}

// signedBy reports whether one of a request's signatures is the secret's.
func signedBy(r received, secret string) bool {
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(r.ID + "." + r.Timestamp + "." + string(r.Body)))
	return slices.Contains(strings.Fields(r.Signature), "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
}

func TestEachChangeWritesItsEventWithTheObjectAsTheAPIShowsIt(t *testing.T) {
	b := newBook(t)
	ctx := context.Background()
	inv := b.finalize("A1", "12.50")
	exec(t, b.db, `INSERT INTO payments (payment_id, account_id, currency, amount, method, gateway_reference, paid_at) VALUES ('pay_1', 'A1', 'USD', 12.5, 'card', 'ref', '2026-07-01T10:00:00Z')`)
	exec(t, b.db, `INSERT INTO ledger_entries (account_id, currency, kind, amount, payment_id) VALUES ('A1', 'USD', 'payment', 12.5, 'pay_1')`)
	exec(t, b.db, `INSERT INTO ledger_entries (account_id, currency, kind, amount, invoice_number, payment_id) VALUES ('A1', 'USD', 'allocation', 12.5, $1, 'pay_1')`, inv)
	b.finalize("A2", "3.00")
	list, err := events.List(ctx, store.New(b.db), events.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range list {
		got = append(got, e.ID+" "+e.Type+" "+*e.AccountID)
	}
	want := []string{"evt_0000000000000001 invoice.finalized A1", "evt_0000000000000002 payment.succeeded A1",
		"evt_0000000000000003 invoice.paid A1", "evt_0000000000000004 invoice.finalized A2"}
	if !slices.Equal(got, want) {
		t.Fatalf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The invoice as the API shows it now, and as each event saw it.
	now, err := invoices.GetInvoiceHeader(ctx, store.New(b.db), inv)
	if err != nil {
		t.Fatal(err)
	}
	api, _ := json.Marshal(now)
	if string(list[2].Data) != string(api) {
		t.Fatalf("invoice.paid data %s, the API shows %s", list[2].Data, api)
	}
	if want := `"amount_due":"12.50","payment_status":"open"`; !strings.Contains(string(list[0].Data), want) {
		t.Fatalf("invoice.finalized data %s lacks %s", list[0].Data, want)
	}
	if want := `{"payment_id":"pay_1","paid_at":"2026-07-01 10:00 UTC","amount":"12.50","currency":"USD","method":"card","method_label":"","gateway_reference":"ref","paid_invoices":[],"refunded":"0.00","disputed":"0.00","disputes":[]}`; string(list[1].Data) != want {
		t.Fatalf("payment.succeeded data %s, want %s", list[1].Data, want)
	}
	// One account's, after a cursor, of a type.
	page, err := events.List(ctx, store.New(b.db), events.Filter{After: "evt_0000000000000001", AccountID: "A1", Type: "invoice.paid"})
	if err != nil || len(page) != 1 || page[0].ID != "evt_0000000000000003" {
		t.Fatalf("A1's invoice.paid after the first: %v %v", page, err)
	}
	// Events are kept as written.
	if _, err := b.db.Exec(`UPDATE events SET type = 'invoice.paid' WHERE seq = 1`); err == nil || !strings.Contains(err.Error(), "kept as written") {
		t.Fatalf("an event was changed: %v", err)
	}
	if _, err := b.db.Exec(`DELETE FROM events`); err == nil {
		t.Fatal("events were deleted")
	}
}

// insertInvoice writes an invoice in tx without committing it.
func (b *book) insertInvoice(tx *sqlx.Tx, account, total string) string {
	b.t.Helper()
	b.seq++
	number := fmt.Sprintf("INV-2026-%06d", b.seq)
	if _, err := tx.Exec(`INSERT INTO invoices (number, series, seq, account_id, type, billing, currency, window_start, window_end, issue_date, subtotal, tax, total)
		VALUES ($1, 'INV-2026', $2::int, $3, 'recurring', 'anniversary', 'USD', date '2020-01-01' + 40 * $2::int, date '2020-01-31' + 40 * $2::int, date '2020-02-01' + 40 * $2::int, $4, 0, $4)`,
		number, b.seq, account, total); err != nil {
		b.t.Fatal(err)
	}
	return number
}

// An event's number is given as its transaction commits: a transaction
// that wrote first but commits last has the later number, so a reader
// that has seen an event never finds an earlier one appear after it.
func TestEventsAreNumberedInCommitOrder(t *testing.T) {
	b := newBook(t)
	ctx := context.Background()
	first := b.db.MustBegin()
	defer first.Rollback() //nolint:errcheck // committed below
	early := b.insertInvoice(first, "A1", "5.00")
	second := b.db.MustBegin()
	late := b.insertInvoice(second, "A2", "6.00")
	if err := second.Commit(); err != nil {
		t.Fatal(err)
	}

	// A reader now sees the second transaction's event alone: the first's
	// is not committed, so it has no number yet.
	seen, err := events.List(ctx, store.New(b.db), events.Filter{Limit: 100})
	if err != nil || len(seen) != 1 || !strings.Contains(string(seen[0].Data), late) {
		t.Fatalf("before the first commits: %v %v", seen, err)
	}
	if err := first.Commit(); err != nil {
		t.Fatal(err)
	}
	after, err := events.List(ctx, store.New(b.db), events.Filter{After: seen[0].ID, Limit: 100})
	if err != nil || len(after) != 1 || !strings.Contains(string(after[0].Data), early) {
		t.Fatalf("after %s once the first commits: %v %v", seen[0].ID, after, err)
	}
	if seen[0].ID != "evt_0000000000000001" || after[0].ID != "evt_0000000000000002" {
		t.Fatalf("numbers %s (committed first) and %s (committed last)", seen[0].ID, after[0].ID)
	}
	// It was written first all the same.
	if s := b.query(`SELECT string_agg(object_id, ' ' ORDER BY local_no) || ' / ' || string_agg(object_id, ' ' ORDER BY seq) FROM events`); s != early+" "+late+" / "+late+" "+early {
		t.Fatalf("written / numbered: %s", s)
	}
}

func TestAnEndpointIsSentOnlyTheEventsItTakesAndNoOtherAccounts(t *testing.T) {
	b := newBook(t)
	b.finalize("A1", "1.00") // before any endpoint: none gets it
	all, _ := b.add("http://"+newReceiver(t, 200).Listener.Addr().String()+"/all", nil, "")
	r1 := newReceiver(t, 200)
	onlyA1, a1Secret := b.add(r1.URL+"/a1", []string{"invoice.paid", "invoice.finalized"}, "A1")
	r2 := newReceiver(t, 200)
	b.add(r2.URL, []string{"payment.succeeded"}, "A2")
	i1 := b.finalize("A1", "5.00")
	b.finalize("A2", "7.00")
	deliveries := b.fanOut()
	if got := b.query(`SELECT string_agg(endpoint_id || ' ' || event_seq, ', ' ORDER BY endpoint_id = $1 DESC, event_seq) FROM webhook_deliveries`, all.ID); got != fmt.Sprintf("%s 2, %s 3, %s 2", all.ID, all.ID, onlyA1.ID) {
		t.Fatalf("deliveries: %s (the catch-all %s, A1's %s)", got, all.ID, onlyA1.ID)
	}
	if len(b.fanOut()) != 3 {
		t.Fatal("a second fan-out made deliveries again")
	}
	for _, id := range deliveries {
		if res := b.deliver(id, 1); res.Outcome != webhooks.OutcomeDelivered {
			t.Fatalf("delivery %d: %+v", id, res)
		}
	}
	got := r1.requests()
	if len(got) != 1 {
		t.Fatalf("A1's endpoint got %d requests", len(got))
	}
	e := verify(t, got[0], a1Secret, b.now)
	if e.Type != "invoice.finalized" || *e.AccountID != "A1" || !strings.Contains(string(e.Data), `"number":"`+i1+`"`) {
		t.Fatalf("A1's endpoint got %s %s %s", e.Type, *e.AccountID, e.Data)
	}
	if n := len(r2.requests()); n != 0 {
		t.Fatalf("A2's payments endpoint got %d requests, for no payment", n)
	}
	if got := b.query(`SELECT string_agg(status || ' ' || attempts, ', ') FROM webhook_deliveries`); got != "delivered 1, delivered 1, delivered 1" {
		t.Fatalf("deliveries: %s", got)
	}
}

func TestAFailedAttemptIsRetriedWithTheSameWebhookID(t *testing.T) {
	b := newBook(t)
	r := newReceiver(t, 500, 503, 200)
	_, secret := b.add(r.URL, nil, "")
	b.finalize("A1", "5.00")
	ids := b.fanOut()
	if len(ids) != 1 {
		t.Fatalf("%d deliveries", len(ids))
	}
	for attempt, want := range []string{webhooks.OutcomeRetried, webhooks.OutcomeRetried, webhooks.OutcomeDelivered} {
		b.now = b.now.Add(time.Duration(attempt) * time.Minute)
		if res := b.deliver(ids[0], attempt+1); res.Outcome != want || res.Retry != (want == webhooks.OutcomeRetried) {
			t.Fatalf("attempt %d: %+v, want %s", attempt+1, res, want)
		}
	}
	got := r.requests()
	if len(got) != 3 || got[0].ID != "evt_0000000000000001" || got[1].ID != got[0].ID || got[2].ID != got[0].ID {
		t.Fatalf("requests: %+v", got)
	}
	if string(got[0].Body) != string(got[2].Body) || got[0].Timestamp == got[2].Timestamp {
		t.Fatal("a retry sent another body, or the same timestamp")
	}
	verify(t, got[2], secret, b.now)
	if s := b.query(`SELECT string_agg(attempt_no || ' ' || coalesce(status_code::text, '-') || ' ' || response, ', ' ORDER BY attempt_no) FROM webhook_attempts`); s != "1 500 answered 500, 2 503 answered 503, 3 200 answered 200" {
		t.Fatalf("attempts: %s", s)
	}
	if s := b.query(`SELECT status || ' ' || attempts FROM webhook_deliveries`); s != "delivered 3" {
		t.Fatalf("delivery: %s", s)
	}
	// The retry schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, each
	// with up to 10% more.
	from := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	for n, wait := range []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour} {
		for range 50 {
			if got := webhooks.NextRetry(n+1, from).Sub(from); got < wait || got > wait+wait/10 {
				t.Fatalf("retry after attempt %d in %s, want %s to %s", n+1, got, wait, wait+wait/10)
			}
		}
	}
}

func TestTheLastAttemptFailingRecordsTheDeliveryFailed(t *testing.T) {
	b := newBook(t)
	r := newReceiver(t, 500)
	b.add(r.URL, nil, "")
	b.finalize("A1", "5.00")
	ids := b.fanOut()
	for attempt := 1; attempt <= webhooks.MaxAttempts; attempt++ {
		want := webhooks.OutcomeRetried
		if attempt == webhooks.MaxAttempts {
			want = webhooks.OutcomeFailed
		}
		if res := b.deliver(ids[0], attempt); res.Outcome != want {
			t.Fatalf("attempt %d: %+v, want %s", attempt, res, want)
		}
	}
	if s := b.query(`SELECT status || ' ' || attempts || ' ' || error FROM webhook_deliveries`); s != "failed 8 answered 500" {
		t.Fatalf("delivery: %s", s)
	}
	if res := b.deliver(ids[0], 9); res.Outcome != "failed" || len(r.requests()) != 8 {
		t.Fatalf("a failed delivery was attempted again: %+v, %d requests", res, len(r.requests()))
	}
}

func TestA410DisablesTheEndpoint(t *testing.T) {
	b := newBook(t)
	r := newReceiver(t, 410)
	e, _ := b.add(r.URL, nil, "")
	b.finalize("A1", "5.00")
	b.finalize("A1", "6.00")
	ids := b.fanOut()
	if res := b.deliver(ids[0], 1); res.Outcome != webhooks.OutcomeGone || res.Retry {
		t.Fatalf("a 410: %+v", res)
	}
	got, err := b.s.Get(context.Background(), e.ID)
	if err != nil || got.Status != "disabled" || got.DisabledReason != "the endpoint answered 410 Gone" {
		t.Fatalf("endpoint after a 410: %+v %v", got, err)
	}
	// Its other delivery is recorded failed, not attempted; a new event
	// is not handed to it.
	if res := b.deliver(ids[1], 1); res.Outcome != webhooks.OutcomeFailed || len(r.requests()) != 1 {
		t.Fatalf("a disabled endpoint's delivery: %+v, %d requests", res, len(r.requests()))
	}
	b.finalize("A1", "7.00")
	if n := len(b.fanOut()); n != 0 {
		t.Fatalf("a disabled endpoint was handed %d events", n)
	}
	if s := b.query(`SELECT string_agg(status || ' ' || error, ', ' ORDER BY delivery_id) FROM webhook_deliveries`); s != "failed answered 410, failed the endpoint is disabled" {
		t.Fatalf("deliveries: %s", s)
	}
	if s := b.query(`SELECT count(*)::text FROM outbox WHERE recipient = 'ops@example.com' AND subject = $1`, "Webhook endpoint "+e.ID+" disabled"); s != "1" {
		t.Fatalf("%s operator e-mails", s)
	}
}

func TestEnablingAnEndpointSendsItWhatItMissed(t *testing.T) {
	b := newBook(t)
	r := newReceiver(t, 410, 200)
	e, secret := b.add(r.URL, nil, "A1")
	b.finalize("A1", "5.00")
	b.finalize("A1", "6.00")
	ids := b.fanOut()
	b.deliver(ids[0], 1) // 410: disabled
	b.deliver(ids[1], 1) // stopped before any attempt
	b.finalize("A1", "7.00")
	b.finalize("A2", "8.00") // another account's: not its
	if n := len(b.fanOut()); n != 0 {
		t.Fatalf("a disabled endpoint was handed %d events", n)
	}

	// A test reaches the disabled endpoint, to check its receiver first.
	ctx := context.Background()
	test, err := b.s.Test(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res := b.deliver(test, 1); res.Outcome != webhooks.OutcomeDelivered {
		t.Fatalf("a test to a disabled endpoint: %+v", res)
	}
	if got := verify(t, r.requests()[1], secret, b.now); got.Type != events.WebhookTest {
		t.Fatalf("a test sent %s", got.Type)
	}

	made, err := b.s.Enable(ctx, e.ID)
	if err != nil || made != 2 {
		t.Fatalf("enable: %d deliveries, %v; want 2 (the stopped one and the event handed on meanwhile)", made, err)
	}
	got, err := b.s.Get(ctx, e.ID)
	if err != nil || got.Status != "enabled" || got.DisabledReason != "" {
		t.Fatalf("endpoint after enable: %+v %v", got, err)
	}
	for _, id := range b.fanOut() {
		if res := b.deliver(id, 1); res.Outcome != webhooks.OutcomeDelivered {
			t.Fatalf("delivery %d after enable: %+v", id, res)
		}
	}
	var sent []string
	for _, req := range r.requests()[2:] {
		sent = append(sent, verify(t, req, secret, b.now).ID)
	}
	if want := []string{"evt_0000000000000002", "evt_0000000000000003"}; !slices.Equal(sent, want) {
		t.Fatalf("sent after enable %v, want %v", sent, want)
	}
	// The 410's delivery stays failed (replay sends it); every event the
	// endpoint takes has its delivery, so §12.8 holds.
	if s := b.query(`SELECT string_agg(event_seq || ' ' || status, ', ' ORDER BY event_seq) FROM webhook_deliveries`); s != "1 failed, 2 delivered, 3 delivered" {
		t.Fatalf("deliveries: %s", s)
	}
	snap, err := store.OpenSnapshot(ctx, store.New(b.db))
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	for _, c := range store.Checks {
		if c.Guarantee != "12.8" {
			continue // the book's invoices are written by hand
		}
		if breaches, err := snap.Breaches(ctx, c); err != nil || len(breaches) > 0 {
			t.Fatalf("§%s %s: %v %v", c.Guarantee, c.Name, breaches, err)
		}
	}
	if made, err := b.s.Enable(ctx, e.ID); err != nil || made != 0 {
		t.Fatalf("enabling again: %d deliveries, %v", made, err)
	}
	if _, err := b.s.Enable(ctx, "we_missing"); !errors.Is(err, webhooks.ErrNoEndpoint) {
		t.Fatalf("enabling an unknown endpoint: %v", err)
	}
}

func TestAnEndpointFailingForFiveDaysIsDisabledAndTheOperatorsTold(t *testing.T) {
	b := newBook(t)
	r := newReceiver(t, 500)
	e, _ := b.add(r.URL, nil, "")
	start := b.now
	for _, after := range []time.Duration{0, 2 * 24 * time.Hour, 5*24*time.Hour - time.Second} {
		b.now = start.Add(after)
		b.finalize("A1", "5.00")
		ids := b.fanOut()
		if res := b.deliver(ids[len(ids)-1], 1); res.Outcome != webhooks.OutcomeRetried {
			t.Fatalf("%s after the first failure: %+v", after, res)
		}
	}
	if got, _ := b.s.Get(context.Background(), e.ID); got.Status != "enabled" || !got.FailingSince.Equal(start) {
		t.Fatalf("after 5 days less a second: %+v", got)
	}
	b.now = start.Add(5 * 24 * time.Hour)
	ids := b.fanOut()
	if res := b.deliver(ids[0], 2); res.Outcome != webhooks.OutcomeRetried {
		t.Fatalf("after 5 days: %+v", res)
	}
	got, _ := b.s.Get(context.Background(), e.ID)
	if got.Status != "disabled" || got.DisabledReason != "no attempt succeeded since 2026-07-01T09:00:00Z" {
		t.Fatalf("after 5 days of failures: %+v", got)
	}
	if s := b.query(`SELECT recipient || ' | ' || subject FROM outbox`); s != "ops@example.com | Webhook endpoint "+e.ID+" disabled" {
		t.Fatalf("outbox: %s", s)
	}
	if s := b.query(`SELECT string_agg(status, ' ' ORDER BY delivery_id) FROM webhook_deliveries`); s != "failed pending pending" {
		t.Fatalf("deliveries: %s", s)
	}
	// A success in between starts the five days again.
	b2 := newBook(t)
	flaky := newReceiver(t, 500, 200, 500)
	e2, _ := b2.add(flaky.URL, nil, "")
	start = b2.now
	for i, after := range []time.Duration{0, 3 * 24 * time.Hour, 6 * 24 * time.Hour} {
		b2.now = start.Add(after)
		b2.finalize("A1", "5.00")
		ids := b2.fanOut()
		b2.deliver(ids[len(ids)-1], 1)
		if got, _ := b2.s.Get(context.Background(), e2.ID); got.Status != "enabled" {
			t.Fatalf("attempt %d: disabled though it succeeded %s before", i+1, 3*24*time.Hour)
		}
	}
}

func TestARotatedSecretSignsBesideTheNewOneForADay(t *testing.T) {
	b := newBook(t)
	r := newReceiver(t, 200)
	e, old := b.add(r.URL, nil, "")
	rotated, err := b.s.RotateSecret(context.Background(), e.ID)
	if err != nil || rotated == old {
		t.Fatalf("rotation: %v", err)
	}
	rotatedAt := b.now
	for i, c := range []struct {
		after      time.Duration
		signatures int
	}{{time.Hour, 2}, {23*time.Hour + 59*time.Minute, 2}, {24 * time.Hour, 1}} {
		b.now = rotatedAt.Add(c.after)
		b.finalize("A1", "5.00")
		ids := b.fanOut()
		b.deliver(ids[len(ids)-1], 1)
		got := r.requests()[i]
		if n := len(strings.Fields(got.Signature)); n != c.signatures {
			t.Fatalf("%s after the rotation: %d signatures, want %d: %s", c.after, n, c.signatures, got.Signature)
		}
		verify(t, got, rotated, b.now)
		if signedBy(got, old) != (c.signatures == 2) {
			t.Fatalf("%s after the rotation: signed by the old secret %v", c.after, signedBy(got, old))
		}
	}
	if _, err := b.s.RotateSecret(context.Background(), "we_none"); !errors.Is(err, webhooks.ErrNoEndpoint) {
		t.Fatalf("rotating no endpoint: %v", err)
	}
}

func TestPrivateDestinationsAreRefusedWhenConnecting(t *testing.T) {
	r := newReceiver(t, 200)
	_, port, _ := net.SplitHostPort(r.Listener.Addr().String())
	client := webhooks.NewClient(false)
	for _, target := range []string{"http://127.0.0.1:" + port + "/", "http://10.0.0.1/", "http://[::1]:" + port + "/",
		"http://169.254.169.254/latest/meta-data", "http://localhost:" + port + "/", "http://192.168.1.1/", "http://0.0.0.0:" + port + "/"} {
		resp, err := client.Post(target, "application/json", strings.NewReader("{}"))
		if err == nil {
			resp.Body.Close()
			t.Fatalf("%s: answered %d", target, resp.StatusCode)
		}
		if !errors.Is(err, webhooks.ErrRefusedDestination) {
			t.Fatalf("%s: %v, not refused", target, err)
		}
	}
	if n := len(r.requests()); n != 0 {
		t.Fatalf("the receiver got %d requests", n)
	}
	// Through a delivery: the attempt records why.
	b := newBook(t)
	b.s.Client = client
	b.add("http://localhost:"+port+"/hook", nil, "")
	b.finalize("A1", "5.00")
	ids := b.fanOut()
	if res := b.deliver(ids[0], 1); res.Outcome != webhooks.OutcomeRetried {
		t.Fatalf("delivery to localhost: %+v", res)
	}
	if s := b.query(`SELECT error FROM webhook_attempts`); !strings.HasPrefix(s, "dial tcp") || !strings.Contains(s, "refused destination: ") || !strings.Contains(s, "is a loopback address") {
		t.Fatalf("attempt error: %q", s)
	}
	// And a redirect is not followed.
	redirect := httptest.NewServer(http.RedirectHandler(r.URL, http.StatusFound))
	defer redirect.Close()
	resp, err := webhooks.NewClient(true).Post(redirect.URL, "application/json", strings.NewReader("{}"))
	if err != nil || resp.StatusCode != http.StatusFound || len(r.requests()) != 0 {
		t.Fatalf("a redirect: %v %v, %d requests at its target", resp, err, len(r.requests()))
	}
	resp.Body.Close()
}

func TestEndpointsAreCheckedWhenAdded(t *testing.T) {
	b := newBook(t)
	b.s.AllowHTTP = false
	for _, c := range []struct {
		req  webhooks.AddRequest
		want string
	}{
		{webhooks.AddRequest{URL: "http://example.com/hook"}, `invalid webhook endpoint: "http://example.com/hook" is not https (the setting webhook_allow_http allows http)`},
		{webhooks.AddRequest{URL: "ftp://example.com/hook"}, `invalid webhook endpoint: "ftp://example.com/hook" is neither https nor http`},
		{webhooks.AddRequest{URL: "example.com/hook"}, `invalid webhook endpoint: "example.com/hook" is not an absolute URL`},
		{webhooks.AddRequest{URL: "https://user:pw@example.com/"}, `invalid webhook endpoint: the URL may not carry a user name or password`},
		{webhooks.AddRequest{URL: "https://example.com/", Events: []string{"invoice.sent"}}, `invalid webhook endpoint: "invoice.sent" is not an event type`},
		{webhooks.AddRequest{URL: "https://example.com/", AccountID: "A9"}, `invalid webhook endpoint: no account "A9"`},
	} {
		if _, _, err := b.s.Add(context.Background(), c.req); err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %s", c.req, err, c.want)
		}
	}
	if s := b.query(`SELECT count(*)::text FROM webhook_endpoints`); s != "0" {
		t.Fatalf("%s endpoints stored", s)
	}
}

// standardWebhooks verifies requests with the Standard Webhooks reference
// library for JavaScript, as a receiver written with it does: one line per
// request, "ok" and the event's id, or "refused" and the library's reason.
func standardWebhooks(t *testing.T, secret string, reqs []received) []string {
	t.Helper()
	lib := os.Getenv("BILLING_STANDARDWEBHOOKS")
	if lib == "" {
		t.Fatal("no Standard Webhooks library: set BILLING_STANDARDWEBHOOKS to npm standardwebhooks' dist/index.js (make test does: BILLING_STANDARDWEBHOOKS=$(scripts/standardwebhooks.sh))")
	}
	node, err := osexec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed: apt-get install -y nodejs (make test installs it)")
	}
	type request struct {
		Secret, ID, Timestamp, Signature, Body string
	}
	var in []request
	for _, r := range reqs {
		in = append(in, request{secret, r.ID, r.Timestamp, r.Signature, string(r.Body)})
	}
	stdin, _ := json.Marshal(in)
	const script = `
const { Webhook } = require(process.argv[1]);
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
for (const r of input) {
  try {
    const event = new Webhook(r.Secret).verify(r.Body, {
      "webhook-id": r.ID, "webhook-timestamp": r.Timestamp, "webhook-signature": r.Signature });
    console.log("ok " + event.id);
  } catch (e) {
    console.log("refused " + e.message);
  }
}`
	cmd := osexec.Command(node, "-e", script, lib)
	cmd.Stdin = bytes.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

func TestTheStandardWebhooksLibraryVerifiesDeliveries(t *testing.T) {
	b := newBook(t)
	b.now = time.Now().UTC() // the library accepts timestamps within five minutes of its clock
	r := newReceiver(t, 200)
	e, first := b.add(r.URL, nil, "")
	b.finalize("A1", "5.00")
	b.finalize("A2", "6.00")
	for _, id := range b.fanOut() {
		b.deliver(id, 1)
	}
	second, err := b.s.RotateSecret(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	b.finalize("A1", "7.00")
	for _, id := range b.fanOut() {
		b.deliver(id, 1)
	}
	reqs := r.requests()
	tampered := reqs[0]
	tampered.Body = bytes.Replace(tampered.Body, []byte(`"5.00"`), []byte(`"0.05"`), 1)
	got := standardWebhooks(t, first, append(reqs, tampered))
	want := []string{"ok evt_0000000000000001", "ok evt_0000000000000002", "ok evt_0000000000000003", "refused No matching signature found"}
	if !slices.Equal(got, want) {
		t.Fatalf("verified with the first secret:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// After the rotation the new secret verifies the new deliveries only.
	got = standardWebhooks(t, second, reqs)
	want = []string{"refused No matching signature found", "refused No matching signature found", "ok evt_0000000000000003"}
	if !slices.Equal(got, want) {
		t.Fatalf("verified with the second secret:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
