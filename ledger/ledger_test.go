package ledger_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/ledger"
	"github.com/openbilling/billing/money"
)

var dec = decimal.RequireFromString

func TestAllocationPaysOldestFirstAndKeepsTheRestAsCredit(t *testing.T) {
	t.Parallel()
	d := calendar.MustParseDate
	invoices := []ledger.Invoice{
		{Number: "INV-3", IssueDate: d("2026-08-08"), Total: dec("30.00")},
		{Number: "INV-1", IssueDate: d("2026-06-15"), Total: dec("10.00"), Allocated: dec("4.00")},
		{Number: "INV-2", IssueDate: d("2026-07-15"), Total: dec("20.00")},
		{Number: "CR-1", IssueDate: d("2026-06-01"), Total: dec("-5.00")},
	}
	got := ledger.Allocate(invoices, []ledger.Source{{PaymentID: "P1", Available: dec("16.00")}, {CreditNumber: "CR-1", Available: dec("5.00")}})
	want := []ledger.Allocation{
		{Invoice: "INV-1", PaymentID: "P1", Amount: dec("6.00")},
		{Invoice: "INV-2", PaymentID: "P1", Amount: dec("10.00")},
		{Invoice: "INV-2", CreditNumber: "CR-1", Amount: dec("5.00")},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("allocations:\n got %v\nwant %v", got, want)
	}
	if s := ledger.Status(dec("10.00"), dec("4.00")); s != ledger.PartiallyPaid {
		t.Errorf("status = %s", s)
	}
	if s := ledger.Status(dec("-5.00"), decimal.Zero); s != ledger.Paid {
		t.Errorf("credit status = %s", s)
	}
}

func TestAnAmountFinerThanTheMinorUnitIsRefused(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		amount, currency string
		ok               bool
	}{{"10.005", "USD", false}, {"10.01", "USD", true}, {"1.5", "JPY", false}, {"1500", "JPY", true}, {"0.125", "KWD", true}, {"0", "USD", false}, {"-1", "USD", false}} {
		err := ledger.CheckAmount(dec(c.amount), moneyOf(c.currency))
		if (err == nil) != c.ok {
			t.Errorf("%s %s: err = %v", c.amount, c.currency, err)
		}
	}
}

// book is an account's book in one currency, kept the way the product keeps
// it: entries that are only added, allocation by ledger.Allocate.
type book struct {
	invoices   []ledger.Invoice
	sources    []ledger.Source // payments and credits, in arrival order
	paid       decimal.Decimal // payments received
	paidBack   decimal.Decimal // money paid back
	allocated  map[string]decimal.Decimal
	fromSource map[string]decimal.Decimal
}

func newBook() *book {
	return &book{allocated: map[string]decimal.Decimal{}, fromSource: map[string]decimal.Decimal{}}
}

func (b *book) settle() {
	open := make([]ledger.Invoice, len(b.invoices))
	for i, inv := range b.invoices {
		open[i] = inv
		open[i].Allocated = b.allocated[inv.Number]
	}
	var sources []ledger.Source
	for _, s := range b.sources {
		left := s.Available.Sub(b.fromSource[s.PaymentID+s.CreditNumber])
		if left.IsPositive() {
			sources = append(sources, ledger.Source{PaymentID: s.PaymentID, CreditNumber: s.CreditNumber, Available: left})
		}
	}
	for _, a := range ledger.Allocate(open, sources) {
		b.allocated[a.Invoice] = b.allocated[a.Invoice].Add(a.Amount)
		b.fromSource[a.PaymentID+a.CreditNumber] = b.fromSource[a.PaymentID+a.CreditNumber].Add(a.Amount)
	}
}

type event struct {
	kind   string // invoice, payment, credit, refund
	number string
	amount decimal.Decimal
	date   calendar.Date
}

func (b *book) apply(e event) {
	switch e.kind {
	case "invoice":
		b.invoices = append(b.invoices, ledger.Invoice{Number: e.number, IssueDate: e.date, Total: e.amount})
	case "payment":
		b.sources = append(b.sources, ledger.Source{PaymentID: e.number, Available: e.amount})
		b.paid = b.paid.Add(e.amount)
	case "credit", "refund":
		b.invoices = append(b.invoices, ledger.Invoice{Number: e.number, IssueDate: e.date, Total: e.amount.Neg()})
		b.sources = append(b.sources, ledger.Source{CreditNumber: e.number, Available: e.amount})
		if e.kind == "refund" {
			// A refund pays back to the card what was paid, at most its own
			// value; what it cannot pay back stays a credit.
			back := decimal.Min(e.amount, b.paid.Sub(b.paidBack))
			if back.IsPositive() {
				b.paidBack = b.paidBack.Add(back)
				b.fromSource[e.number] = back
			}
		}
	}
}

func (b *book) state() string {
	s := ""
	for _, inv := range b.invoices {
		s += fmt.Sprintf("%s due %s; ", inv.Number, ledger.Due(inv.Total, b.allocated[inv.Number]))
	}
	for _, src := range b.sources {
		id := src.PaymentID + src.CreditNumber
		s += fmt.Sprintf("%s left %s; ", id, src.Available.Sub(b.fromSource[id]))
	}
	return s
}

func randomEvents(r *rand.Rand) []event {
	var out []event
	date := calendar.MustParseDate("2026-01-15")
	for i := range 5 + r.IntN(25) {
		date = date.AddDays(r.IntN(20))
		amount := decimal.New(int64(1+r.IntN(20000)), -2)
		number := fmt.Sprintf("E%03d", i)
		switch k := r.IntN(10); {
		case k < 5:
			out = append(out, event{"invoice", number, amount, date})
		case k < 8:
			out = append(out, event{"payment", number, amount, date})
		case k < 9:
			out = append(out, event{"credit", number, amount, date})
		default:
			out = append(out, event{"refund", number, amount, date})
		}
	}
	return out
}

// Over random sequences of invoices, payments, credits and refunds: the
// balance is invoices − payments + money paid back, no invoice is allocated
// more than its total and no source more than it holds, and the outcome is
// the same however the sequence is cut into runs (§9, §12.5).
func TestTheBookHoldsWhateverTheSequenceAndHoweverItIsCutIntoRuns(t *testing.T) {
	t.Parallel()
	for seed := range uint64(500) {
		r := rand.New(rand.NewPCG(seed, 17))
		events := randomEvents(r)

		each := newBook()
		for _, e := range events {
			each.apply(e)
			each.settle()
		}
		cut := newBook()
		for _, e := range events {
			cut.apply(e)
			if r.IntN(4) == 0 {
				cut.settle()
			}
		}
		cut.settle()
		if each.state() != cut.state() {
			t.Fatalf("seed %d: settling after each event and in runs differ:\n%s\n%s", seed, each.state(), cut.state())
		}

		invoiced, due, credit := decimal.Zero, decimal.Zero, decimal.Zero
		for _, inv := range each.invoices {
			invoiced = invoiced.Add(inv.Total)
			a := each.allocated[inv.Number]
			if a.GreaterThan(decimal.Max(inv.Total, decimal.Zero)) {
				t.Fatalf("seed %d: %s allocated %s of %s", seed, inv.Number, a, inv.Total)
			}
			due = due.Add(ledger.Due(inv.Total, a))
		}
		for _, s := range each.sources {
			left := s.Available.Sub(each.fromSource[s.PaymentID+s.CreditNumber])
			if left.IsNegative() {
				t.Fatalf("seed %d: %s%s over-allocated", seed, s.PaymentID, s.CreditNumber)
			}
			credit = credit.Add(left)
		}
		balance := invoiced.Sub(each.paid).Add(each.paidBack)
		// The balance is what is due less the credit nothing has taken yet.
		if !balance.Equal(due.Sub(credit)) {
			t.Fatalf("seed %d: balance %s, due %s, credit %s", seed, balance, due, credit)
		}
		// Open invoices and unallocated credit never stand side by side.
		if due.IsPositive() && credit.IsPositive() {
			t.Fatalf("seed %d: %s due while %s credit is unallocated", seed, due, credit)
		}
	}
}

func moneyOf(code string) money.Currency { return money.Currency(code) }
