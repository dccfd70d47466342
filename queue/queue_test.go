package queue_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/internal/testkit/pgtest"
	"github.com/openbilling/billing/internal/testkit/smtptest"
	billingmail "github.com/openbilling/billing/mail"
	"github.com/openbilling/billing/payments"
	"github.com/openbilling/billing/payments/gateway"
	"github.com/openbilling/billing/queue"
	"github.com/openbilling/billing/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// The daemon's background work as jobs: an e-mail written with a payment
// is queued in the payment's transaction and delivered over SMTP by the
// worker; a charge whose answer never came is settled by the periodic job,
// without a second charge.
func TestEmailAndSettlingRunAsJobsOfTheQueue(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.NewDB(t)
	db.MustExec(`INSERT INTO accounts (account_id, name, country, currency, billing_day, email) VALUES ('A1', 'Acme', 'US', 'USD', 15, 'a1@example.com')`)
	db.MustExec(`INSERT INTO invoices (number, series, seq, account_id, type, billing, currency, window_start, window_end, issue_date, subtotal, tax, total)
		VALUES ('INV-2026-000001', 'INV-2026', 1, 'A1', 'recurring', 'anniversary', 'USD', '2026-06-15', '2026-07-14', '2026-07-15', 24, 0, 24)`)
	db.MustExec(`INSERT INTO ledger_entries (account_id, currency, kind, amount, invoice_number) VALUES ('A1', 'USD', 'invoice', 24, 'INV-2026-000001')`)
	inserter, err := queue.NewInserter(store.New(db))
	if err != nil {
		t.Fatal(err)
	}
	svc := &payments.Service{DB: store.New(db), Gateway: &gateway.Sandbox{DB: store.New(db)}, Mail: inserter}
	ctx := context.Background()

	// An auto-charge whose answer never comes.
	if _, err := svc.AddCard(ctx, "A1", gateway.Card{Number: "4000000000005126", ExpMonth: 12, ExpYear: 2030, CVC: "123"}, true, time.Now()); err != nil {
		t.Fatal(err)
	}
	if r, err := svc.Collect(ctx, time.Now()); err != nil || r.Unknown != 1 {
		t.Fatalf("collect: %+v %v", r, err)
	}
	// A one-time payment with its receipt.
	if _, err := svc.Pay(ctx, payments.PayRequest{AccountID: "A1", Currency: "USD", Amount: decimal.RequireFromString("5.00"), PayPal: gateway.PayPalBuyer, IdempotencyKey: "k1", AsOf: time.Now()}); err != nil {
		t.Fatal(err)
	}

	box := smtptest.Start(t)
	worker, err := queue.NewWorker(queue.Config{DB: store.New(db), Payments: svc, Poll: 50 * time.Millisecond,
		Mail: &billingmail.Sender{DB: store.New(db), Addr: box.Addr, From: "billing@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := worker.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stop, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = worker.Stop(stop)
	}()

	var due string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if err := db.Get(&due, `SELECT (24 - coalesce((SELECT sum(amount) FROM ledger_entries WHERE kind = 'allocation'), 0))::text`); err != nil {
			t.Fatal(err)
		}
		if due == "0.00" && len(box.Received()) >= 3 {
			break
		}
	}
	if due != "0.00" {
		t.Fatalf("the settle job did not record the charge: %s still due", due)
	}
	var charges int
	if err := db.Get(&charges, `SELECT count(*) FROM sandbox.requests WHERE kind = 'charge'`); err != nil || charges != 2 {
		t.Fatalf("the gateway saw %d charges (%v), want the auto-charge and the payment", charges, err)
	}
	// The card's status e-mail carries the moment of the validation in its id.
	var got []string
	for _, m := range box.Received() {
		id := m.Header.Get("Message-ID")
		if strings.HasPrefix(id, "<card-1-valid-") {
			id = "<card-1-valid-…@billing>"
		}
		got = append(got, id+" "+m.Header.Get("Subject"))
	}
	slices.Sort(got)
	want := []string{
		"<card-1-valid-…@billing> Your visa ending 5126 is now valid",
		"<payment-PAY-1@billing> Payment received: 24.00 USD",
		"<payment-PAY-2@billing> Payment received: 5.00 USD",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("received %q\nwant %q", got, want)
	}
}

// A stop (SIGTERM) while an e-mail is being delivered: the worker's own
// context ends, but the job at hand finishes, so the e-mail is recorded as
// sent once and its job completed, and is never sent again.
func TestAnEmailBeingDeliveredAtStopIsFinishedNotCancelled(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.NewDB(t)
	db.MustExec(`INSERT INTO accounts (account_id, name, country, currency, billing_day, email) VALUES ('A1', 'Acme', 'US', 'USD', 15, 'a1@example.com')`)
	inserter, err := queue.NewInserter(store.New(db))
	if err != nil {
		t.Fatal(err)
	}
	svc := &payments.Service{DB: store.New(db), Gateway: &gateway.Sandbox{DB: store.New(db)}, Mail: inserter}
	box := smtptest.Start(t)
	arrived := box.Hold()
	worker, err := queue.NewWorker(queue.Config{DB: store.New(db), Payments: svc, Poll: 50 * time.Millisecond,
		Mail: &billingmail.Sender{DB: store.New(db), Addr: box.Addr, From: "billing@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, sigterm := context.WithCancel(context.Background())
	if err := worker.Start(ctx); err != nil {
		t.Fatal(err)
	}
	// A card added writes its status e-mail and queues its job.
	if _, err := svc.AddCard(context.Background(), "A1", gateway.Card{Number: "4242424242424242", ExpMonth: 12, ExpYear: 2030, CVC: "123"}, true, time.Now()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		t.Fatal("the e-mail's job never delivered it")
	}
	sigterm()
	stopped := make(chan error, 1)
	go func() {
		stop, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		stopped <- worker.Stop(stop)
	}()
	time.Sleep(300 * time.Millisecond) // the stop under way, the delivery held
	box.Release()
	if err := <-stopped; err != nil {
		t.Fatalf("stop: %v", err)
	}
	var outbox, jobs []string
	if err := db.Select(&outbox, `SELECT subject || ' ' || (sent_at IS NOT NULL) || ' ' || attempts FROM outbox ORDER BY created_at`); err != nil {
		t.Fatal(err)
	}
	// The e-mail's jobs: the worker's periodic settling of charges runs at
	// its start once its leader is elected, which may be before or after
	// the stop, and is not what this test is about.
	if err := db.Select(&jobs, `SELECT kind || ' ' || state || ' attempt ' || attempt FROM river_job WHERE kind = 'send_email' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if want := []string{"Your visa ending 4242 is now valid true 1"}; !slices.Equal(outbox, want) {
		t.Errorf("outbox %q, want %q", outbox, want)
	}
	if want := []string{"send_email completed attempt 1"}; !slices.Equal(jobs, want) {
		t.Errorf("jobs %q, want %q", jobs, want)
	}
	if n := len(box.Received()); n != 1 {
		t.Errorf("%d e-mails delivered, want 1", n)
	}
}
