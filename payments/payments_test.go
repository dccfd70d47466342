package payments_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/internal/testkit/pgtest"
	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/payments"
	"github.com/openbilling/billing/payments/gateway"
	"github.com/openbilling/billing/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var dec = decimal.RequireFromString

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// book is a database with one account, A1 (USD, contact a1@example.com),
// and the payments service over it.
type book struct {
	t   *testing.T
	db  *sqlx.DB
	svc *payments.Service
	seq int
}

func newBook(t *testing.T) *book {
	t.Helper()
	db, _ := pgtest.NewDB(t)
	exec(t, db, `INSERT INTO accounts (account_id, name, country, currency, billing_day, email) VALUES ('A1', 'Acme', 'US', 'USD', 15, 'a1@example.com')`)
	return &book{t: t, db: db, svc: &payments.Service{DB: store.New(db), Gateway: &gateway.Sandbox{DB: store.New(db)}}}
}

func exec(t *testing.T, db *sqlx.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// finalize issues an invoice of A1 as the close does: the invoice, its
// ledger entry, and the account's unallocated credit applied to it.
func (b *book) finalize(issued string, total string) string {
	b.t.Helper()
	b.seq++
	number := fmt.Sprintf("INV-2026-%06d", b.seq)
	tx := b.db.MustBegin()
	defer tx.Rollback() //nolint:errcheck
	typ := "recurring"
	if decimal.RequireFromString(total).IsNegative() {
		typ = "credit"
	}
	tx.MustExec(`INSERT INTO invoices (number, series, seq, account_id, type, billing, currency, window_start, window_end, issue_date, subtotal, tax, total)
		VALUES ($1, 'INV-2026', $2, 'A1', $3, 'anniversary', 'USD', $4::date - 31, $4::date - 1, $4, $5, 0, $5)`, number, b.seq, typ, issued, total)
	tx.MustExec(`INSERT INTO ledger_entries (account_id, currency, kind, amount, invoice_number) VALUES ('A1', 'USD', 'invoice', $1, $2)`, total, number)
	if err := payments.ApplyCredits(context.Background(), store.NewTx(tx), []string{"A1"}); err != nil {
		b.t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.t.Fatal(err)
	}
	return number
}

func (b *book) addCard(number string) {
	b.t.Helper()
	m, err := b.svc.AddCard(context.Background(), "A1", gateway.Card{Number: number, ExpMonth: 12, ExpYear: 2030, CVC: "123", Name: "A. Holder"}, true, at("2026-07-01T00:00:00Z"))
	if err != nil {
		b.t.Fatal(err)
	}
	if m.Status != "valid" {
		b.t.Fatalf("card %s is %s", m.Last4, m.Status)
	}
}

func (b *book) collect(asOf string, want payments.CollectReport) {
	b.t.Helper()
	got, err := b.svc.Collect(context.Background(), at(asOf))
	if err != nil {
		b.t.Fatal(err)
	}
	if got != want {
		b.t.Fatalf("collect as of %s: %+v, want %+v", asOf, got, want)
	}
}

// due is each invoice's amount due, and the account's unallocated credit.
func (b *book) due() string {
	b.t.Helper()
	var s string
	err := b.db.Get(&s, `SELECT string_agg(number || '=' || (total - coalesce((SELECT sum(amount) FROM ledger_entries a
		WHERE a.kind = 'allocation' AND a.invoice_number = i.number), 0))::text, ' ' ORDER BY number) FROM invoices i WHERE total > 0`)
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

// open lists the ledger's open items (kind and key), after checking that
// they are what the ledger's sums leave open.
func (b *book) open() string {
	b.t.Helper()
	var drift int
	if err := b.db.Get(&drift, `SELECT count(*) FROM (
		(SELECT * FROM ledger_open_items EXCEPT SELECT * FROM ledger_open_items_by_sums)
		UNION ALL (SELECT * FROM ledger_open_items_by_sums EXCEPT SELECT * FROM ledger_open_items)) d`); err != nil || drift != 0 {
		b.t.Fatalf("%d open items differ from the ledger's sums (%v)", drift, err)
	}
	var s string
	if err := b.db.Get(&s, `SELECT coalesce(string_agg(kind || ' ' || key, ', ' ORDER BY entry_id), '') FROM ledger_open_items`); err != nil {
		b.t.Fatal(err)
	}
	return s
}

// expectOpen fails the test unless the open items are want; when says
// after what.
func (b *book) expectOpen(when, want string) {
	b.t.Helper()
	if got := b.open(); got != want {
		b.t.Fatalf("open items %s: %q, want %q", when, got, want)
	}
}

// collected is what the sandbox gateway took in succeeded charges.
func (b *book) collected() string {
	b.t.Helper()
	var s string
	if err := b.db.Get(&s, `SELECT coalesce(sum(amount), 0)::text FROM sandbox.requests WHERE kind = 'charge' AND status = 'succeeded'`); err != nil {
		b.t.Fatal(err)
	}
	return money.Format(dec(s), "USD")
}

func (b *book) outbox() []string {
	b.t.Helper()
	var subjects []string
	if err := b.db.Select(&subjects, `SELECT recipient || ': ' || subject FROM outbox ORDER BY created_at, message_id`); err != nil {
		b.t.Fatal(err)
	}
	return subjects
}

func TestAutoChargeOfANewInvoiceSucceedsOnce(t *testing.T) {
	t.Parallel()
	b := newBook(t)
	b.addCard("4242424242424242")
	b.finalize("2026-07-15", "24.00")
	b.collect("2026-07-15T01:00:00Z", payments.CollectReport{Charged: 1, Succeeded: 1})
	b.collect("2026-07-16T01:00:00Z", payments.CollectReport{})
	if got := b.due(); got != "INV-2026-000001=0.00" {
		t.Fatalf("due: %s", got)
	}
	if got := b.collected(); got != "24.00" {
		t.Fatalf("collected %s", got)
	}
}

func TestASoftDeclineIsRetriedOnTheScheduleUntilItSucceeds(t *testing.T) {
	t.Parallel()
	b := newBook(t)
	b.addCard("4000000000009995") // insufficient funds on the first charge
	b.finalize("2026-07-15", "24.00")
	b.collect("2026-07-15T01:00:00Z", payments.CollectReport{Charged: 1, Declined: 1})
	b.collect("2026-07-17T23:00:00Z", payments.CollectReport{}) // the first retry is 3 days after the first attempt
	b.collect("2026-07-18T01:00:00Z", payments.CollectReport{Charged: 1, Succeeded: 1})
	b.collect("2026-07-20T01:00:00Z", payments.CollectReport{})
	if got := b.due(); got != "INV-2026-000001=0.00" {
		t.Fatalf("due: %s", got)
	}
	if got := b.collected(); got != "24.00" {
		t.Fatalf("collected %s", got)
	}
}

func TestEveryRetryDeclinedLeavesTheInvoiceOpenAfterTheLast(t *testing.T) {
	t.Parallel()
	b := newBook(t)
	b.addCard("4000000000000341") // every charge declines softly
	b.finalize("2026-07-15", "24.00")
	b.collect("2026-07-15T01:00:00Z", payments.CollectReport{Charged: 1, Declined: 1})
	b.collect("2026-07-18T01:00:00Z", payments.CollectReport{Charged: 1, Declined: 1})
	b.collect("2026-07-20T01:00:00Z", payments.CollectReport{Charged: 1, Declined: 1})
	b.collect("2026-07-22T01:00:00Z", payments.CollectReport{Charged: 1, Declined: 1})
	b.collect("2026-08-30T01:00:00Z", payments.CollectReport{})
	if got := b.due(); got != "INV-2026-000001=24.00" {
		t.Fatalf("due: %s", got)
	}
}

func TestAHardDeclineIsNeverRetriedAndEmailsTheContact(t *testing.T) {
	t.Parallel()
	b := newBook(t)
	b.addCard("4242424242424242")
	b.finalize("2026-07-15", "24.00")
	// The card is reported stolen after it was validated: the processor
	// declines it hard from then on.
	exec(t, b.db, `UPDATE sandbox.cards SET behaviour = 'stolen_card'`)
	b.collect("2026-07-15T01:00:00Z", payments.CollectReport{Charged: 1, HardDeclined: 1})
	b.collect("2026-07-30T01:00:00Z", payments.CollectReport{})
	if got := b.due(); got != "INV-2026-000001=24.00" {
		t.Fatalf("due: %s", got)
	}
	want := "[a1@example.com: Your visa ending 4242 is now valid a1@example.com: Payment failed for invoice INV-2026-000001]"
	if got := fmt.Sprint(b.outbox()); got != want {
		t.Fatalf("outbox: %s", got)
	}
}

func TestAnUnknownOutcomeIsSettledByAskingNeverByChargingAgain(t *testing.T) {
	t.Parallel()
	b := newBook(t)
	b.addCard("4000000000005126") // no answer; asked again, it has succeeded
	b.finalize("2026-07-15", "24.00")
	b.collect("2026-07-15T01:00:00Z", payments.CollectReport{Charged: 1, Unknown: 1})
	if got := b.due(); got != "INV-2026-000001=24.00" {
		t.Fatalf("due while unknown: %s", got)
	}
	b.collect("2026-07-16T01:00:00Z", payments.CollectReport{Settled: 1})
	if got := b.due(); got != "INV-2026-000001=0.00" {
		t.Fatalf("due: %s", got)
	}
	var charges int
	if err := b.db.Get(&charges, `SELECT count(*) FROM sandbox.requests WHERE kind = 'charge'`); err != nil || charges != 1 {
		t.Fatalf("the gateway saw %d charges (%v)", charges, err)
	}
}

func TestAPartialPaymentPaysTheOldestInvoicesFirst(t *testing.T) {
	t.Parallel()
	b := newBook(t)
	b.finalize("2026-06-15", "10.00")
	b.finalize("2026-07-15", "20.00")
	b.finalize("2026-08-15", "30.00")
	res, err := b.svc.Pay(context.Background(), payments.PayRequest{AccountID: "A1", Currency: "USD", Amount: dec("35.00"), PayPal: gateway.PayPalBuyer, AsOf: at("2026-08-20T10:00:00Z")})
	if err != nil || res.Status != "succeeded" {
		t.Fatalf("pay: %+v %v", res, err)
	}
	if got := b.due(); got != "INV-2026-000001=0.00 INV-2026-000002=0.00 INV-2026-000003=25.00" {
		t.Fatalf("due: %s", got)
	}
	b.expectOpen("after the payment", "invoice INV-2026-000003")
}

func TestAnOverpaymentIsCreditThatPaysTheNextInvoice(t *testing.T) {
	t.Parallel()
	b := newBook(t)
	b.finalize("2026-06-15", "10.00")
	if _, err := b.svc.Pay(context.Background(), payments.PayRequest{AccountID: "A1", Currency: "USD", Amount: dec("25.00"),
		Card: &gateway.Card{Number: "4242424242424242", ExpMonth: 1, ExpYear: 2029, CVC: "123"}, AsOf: at("2026-06-20T10:00:00Z")}); err != nil {
		t.Fatal(err)
	}
	b.expectOpen("after the overpayment", "payment PAY-1")
	b.finalize("2026-07-15", "20.00")
	if got := b.due(); got != "INV-2026-000001=0.00 INV-2026-000002=5.00" {
		t.Fatalf("due: %s", got)
	}
	b.expectOpen("after the next invoice", "invoice INV-2026-000002")
	// Nothing stored or logged holds the card number.
	var leaks int
	if err := b.db.Get(&leaks, `SELECT count(*) FROM gateway_attempts WHERE request LIKE '%4242424242424242%' OR method_label LIKE '%4242424242424242%'`); err != nil || leaks != 0 {
		t.Fatalf("%d attempts hold the number (%v)", leaks, err)
	}
}

// Open items follow the ledger (§9): a credit stays open until an
// invoice uses it up; an invoice stays open until it is paid in full.
func TestACreditStaysOpenUntilAnInvoiceUsesItUp(t *testing.T) {
	t.Parallel()
	b := newBook(t)
	b.finalize("2026-06-15", "-8.00")
	b.finalize("2026-07-15", "5.00")
	b.expectOpen("after the first invoice", "credit INV-2026-000001")
	b.finalize("2026-08-15", "20.00")
	if got := b.due(); got != "INV-2026-000002=0.00 INV-2026-000003=17.00" {
		t.Fatalf("due: %s", got)
	}
	b.expectOpen("after the second invoice", "invoice INV-2026-000003")
}

func TestTheSameIdempotencyKeyReplaysAndAnotherRequestWithItIsRefused(t *testing.T) {
	t.Parallel()
	b := newBook(t)
	b.finalize("2026-06-15", "10.00")
	req := payments.PayRequest{AccountID: "A1", Currency: "USD", Amount: dec("4.00"), PayPal: gateway.PayPalBuyer, IdempotencyKey: "k-1", AsOf: at("2026-06-20T10:00:00Z")}
	first, err := b.svc.Pay(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := b.svc.Pay(context.Background(), req)
	if err != nil || !again.Replayed || again.PaymentID != first.PaymentID {
		t.Fatalf("replay: %+v %v", again, err)
	}
	req.Amount = dec("5.00")
	if _, err := b.svc.Pay(context.Background(), req); !errors.Is(err, gateway.ErrKeyReused) {
		t.Fatalf("reuse: %v", err)
	}
	if got := b.collected(); got != "4.00" {
		t.Fatalf("collected %s", got)
	}
	req.Amount = dec("0.005")
	if _, err := b.svc.Pay(context.Background(), req); err == nil || err.Error() != "amount 0.005 USD is finer than the currency's minor unit (2 decimals)" {
		t.Fatalf("sub-cent: %v", err)
	}
}

func TestTheLedgerRefusesChangesAndOverAllocation(t *testing.T) {
	t.Parallel()
	b := newBook(t)
	number := b.finalize("2026-06-15", "10.00")
	if _, err := b.db.Exec(`UPDATE ledger_entries SET amount = 1`); err == nil {
		t.Fatal("an entry was updated")
	}
	if _, err := b.db.Exec(`DELETE FROM ledger_entries`); err == nil {
		t.Fatal("an entry was deleted")
	}
	if _, err := b.svc.Pay(context.Background(), payments.PayRequest{AccountID: "A1", Currency: "USD", Amount: dec("50.00"), PayPal: gateway.PayPalBuyer, AsOf: at("2026-06-20T10:00:00Z")}); err != nil {
		t.Fatal(err)
	}
	_, err := b.db.Exec(`INSERT INTO ledger_entries (account_id, currency, kind, amount, invoice_number, payment_id)
		VALUES ('A1', 'USD', 'allocation', 0.01, $1, 'PAY-1')`, number)
	if err == nil {
		t.Fatal("an invoice was allocated more than its total")
	}
}

// An auto-charge and a one-time payment of the whole balance started at
// once on one account collect exactly the amount due, round after round
// (§9 "Never twice").
func TestAnAutoChargeAndAPaymentOfTheBalanceTogetherCollectOnlyWhatIsDue(t *testing.T) {
	t.Parallel()
	b := newBook(t)
	b.addCard("4242424242424242")
	ctx := context.Background()
	rounds := 200
	if testing.Short() {
		rounds = 20
	}
	want := decimal.Zero
	for round := range rounds {
		amount := decimal.New(int64(100+round), -2)
		b.finalize(at("2026-07-15T00:00:00Z").AddDate(0, 0, round).Format(time.DateOnly), amount.String())
		want = want.Add(amount)
		var wg sync.WaitGroup
		var collectErr, payErr error
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, collectErr = b.svc.Collect(ctx, at("2026-07-15T01:00:00Z"))
		}()
		go func() {
			defer wg.Done()
			_, payErr = b.svc.Pay(ctx, payments.PayRequest{AccountID: "A1", Currency: "USD", All: true, PayPal: gateway.PayPalBuyer, AsOf: at("2026-07-15T01:00:00Z")})
			if errors.Is(payErr, payments.ErrNothingDue) {
				payErr = nil // the auto-charge came first
			}
		}()
		wg.Wait()
		if collectErr != nil || payErr != nil {
			t.Fatalf("round %d: collect %v, pay %v", round, collectErr, payErr)
		}
		if got := dec(b.collected()); !got.Equal(want) {
			t.Fatalf("round %d: the gateway collected %s, %s was due", round, got, want)
		}
	}
	if got := b.collected(); got != money.Format(want, "USD") {
		t.Fatalf("collected %s", got)
	}
}

// crashingGateway passes each charge to the sandbox and then fails as a
// process killed after the gateway's answer would: the answer never reaches
// the database.
type crashingGateway struct{ gateway.Gateway }

var errKilled = errors.New("killed after the gateway answered")

func (g crashingGateway) Charge(ctx context.Context, req gateway.Charge) (gateway.Result, error) {
	if _, err := g.Gateway.Charge(ctx, req); err != nil {
		return gateway.Result{}, err
	}
	return gateway.Result{}, errKilled
}

// A process killed between the gateway's answer and the commit leaves a
// pending attempt; the next run settles it by asking, never by charging
// again (§9 "Never twice").
func TestAKillBetweenTheGatewaysAnswerAndTheCommitNeverChargesTwice(t *testing.T) {
	t.Parallel()
	b := newBook(t)
	b.addCard("4242424242424242")
	b.finalize("2026-07-15", "24.00")
	killed := &payments.Service{DB: store.New(b.db), Gateway: crashingGateway{b.svc.Gateway}}
	if _, err := killed.Collect(context.Background(), at("2026-07-15T01:00:00Z")); !errors.Is(err, errKilled) {
		t.Fatalf("collect: %v", err)
	}
	if got := b.due(); got != "INV-2026-000001=24.00" {
		t.Fatalf("due after the kill: %s", got)
	}
	b.collect("2026-07-15T02:00:00Z", payments.CollectReport{Settled: 1})
	b.collect("2026-07-16T02:00:00Z", payments.CollectReport{})
	if got := b.due(); got != "INV-2026-000001=0.00" {
		t.Fatalf("due: %s", got)
	}
	var charges int
	if err := b.db.Get(&charges, `SELECT count(*) FROM sandbox.requests WHERE kind = 'charge'`); err != nil || charges != 1 {
		t.Fatalf("the gateway saw %d charges (%v)", charges, err)
	}
	if got := b.collected(); got != "24.00" {
		t.Fatalf("collected %s", got)
	}
}

// The invoices charged at once are of distinct accounts: an account's next
// invoice waits for the next round of the plan, and a batch asking for two
// of one account's invoices charges nothing.
func TestOneAccountsInvoicesAreChargedOneRoundAtATime(t *testing.T) {
	t.Parallel()
	b := newBook(t)
	b.addCard("4242424242424242")
	first, second := b.finalize("2026-06-15", "10.00"), b.finalize("2026-07-15", "20.00")
	ctx := context.Background()
	plan, err := b.svc.PlanCollect(ctx, at("2026-07-16T01:00:00Z"))
	if err != nil || fmt.Sprint(plan.Groups) != fmt.Sprintf("[[[%s] [%s]]]", first, second) {
		t.Fatalf("plan: %v %v", plan.Groups, err)
	}
	_, err = b.svc.CollectInvoices(ctx, at("2026-07-16T01:00:00Z"), []string{first, second})
	if err == nil || err.Error() != fmt.Sprintf("invoices %s and %s of account A1 cannot be charged at once", first, second) {
		t.Fatalf("two invoices of A1 at once: %v", err)
	}
	if got := b.collected(); got != "0.00" {
		t.Fatalf("collected %s after a refused batch", got)
	}
	b.collect("2026-07-16T01:00:00Z", payments.CollectReport{Charged: 2, Succeeded: 2})
	if got := b.collected(); got != "30.00" {
		t.Fatalf("collected %s", got)
	}
}
