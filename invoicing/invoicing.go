// Package invoicing assembles charge lines into invoices (§5, §6, §7):
// tax per line, one invoice per account, window and currency, invoice
// types, line order, and the adjustment lines of a rerun. It is pure.
package invoicing

import (
	"fmt"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/rating"
)

// Type is an invoice's type (§6).
type Type string

// The invoice types.
const (
	TypeNew       Type = "new"
	TypeRecurring Type = "recurring"
	TypeOnetime   Type = "onetime"
	TypeCredit    Type = "credit"
	TypeRefund    Type = "refund"
)

// TaxRate is a country's rate from a date on (Always: since always).
type TaxRate struct {
	Country string
	From    calendar.Date
	Always  bool
	Rate    decimal.Decimal
}

// TaxRates are every country's rates over time.
type TaxRates []TaxRate

// At returns the rate of country in effect on d, and whether there is one.
// A country with no rate is taxed at zero, and the run report says so (§5).
func (rs TaxRates) At(country string, d calendar.Date) (decimal.Decimal, bool) {
	best := -1
	for i, r := range rs {
		if r.Country != country || (!r.Always && r.From > d) {
			continue
		}
		if best < 0 || (!r.Always && (rs[best].Always || r.From > rs[best].From)) {
			best = i
		}
	}
	if best < 0 {
		return decimal.Zero, false
	}
	return rs[best].Rate, true
}

// Key identifies the invoice a line belongs to: one per account and
// anniversary window (in the account's currency), or per account, calendar
// month and customer currency (§6).
type Key struct {
	AccountID   string
	Billing     calendar.Billing
	WindowStart calendar.Date
	Currency    money.Currency
}

// Line is an invoice line: a charge with its tax.
type Line struct {
	rating.Line
	Tax   decimal.Decimal
	Total decimal.Decimal
}

// Invoice is an invoice before it is numbered and stored.
type Invoice struct {
	Key
	Window    calendar.Window
	Type      Type
	IssueDate calendar.Date
	TaxRate   decimal.Decimal
	Lines     []Line
	Subtotal  decimal.Decimal
	Tax       decimal.Decimal
	Total     decimal.Decimal
}

// LineTax is round(amount × rate) to the currency's minor unit (§5).
func LineTax(amount, rate decimal.Decimal, c money.Currency) decimal.Decimal {
	return money.Round(amount.Mul(rate), c)
}

// Assemble builds the invoice of a window from its lines: ordered, each
// taxed at rate (the billed account's country's rate on the issue date),
// summed, and typed. firstAnniversary says whether this is the account's
// first anniversary invoice. It returns false for a window with no lines,
// which produces no invoice (§6).
func Assemble(key Key, w calendar.Window, lines []rating.Line, rate decimal.Decimal, firstAnniversary bool) (Invoice, bool) {
	if len(lines) == 0 {
		return Invoice{}, false
	}
	inv := Invoice{Key: key, Window: w, IssueDate: w.Closes, TaxRate: rate, Lines: make([]Line, len(lines))}
	sorted := append([]rating.Line(nil), lines...)
	SortLines(sorted)
	inv.Subtotal, inv.Tax = decimal.Zero, decimal.Zero
	for i, l := range sorted {
		tax := LineTax(l.Amount, rate, key.Currency)
		inv.Lines[i] = Line{Line: l, Tax: tax, Total: l.Amount.Add(tax)}
		inv.Subtotal = inv.Subtotal.Add(l.Amount)
		inv.Tax = inv.Tax.Add(tax)
	}
	inv.Total = inv.Subtotal.Add(inv.Tax)
	inv.Type = invoiceType(key.Billing, firstAnniversary, inv.Total)
	return inv, true
}

// SetFirstAnniversary types an invoice as the account's first anniversary
// invoice, or as a later one: what Assemble's firstAnniversary says.
func (inv *Invoice) SetFirstAnniversary(first bool) {
	inv.Type = invoiceType(inv.Billing, first, inv.Total)
}

// invoiceType is new for an account's first anniversary invoice, recurring
// for later ones, onetime for calendar invoices, and credit whenever the
// total is below zero (§6).
func invoiceType(b calendar.Billing, firstAnniversary bool, total decimal.Decimal) Type {
	switch {
	case total.Sign() < 0:
		return TypeCredit
	case b == calendar.BillingCalendar:
		return TypeOnetime
	case firstAnniversary:
		return TypeNew
	default:
		return TypeRecurring
	}
}

// SortLines orders lines as invoices list them: by activity date, then order
// id, then credit before rebill (§10); then by subscription, sku and
// charge start so that the order never depends on how lines were gathered.
func SortLines(lines []rating.Line) {
	sort.SliceStable(lines, func(i, j int) bool {
		a, b := &lines[i], &lines[j]
		switch {
		case a.ActivityDate != b.ActivityDate:
			return a.ActivityDate < b.ActivityDate
		case a.OrderID != b.OrderID:
			return a.OrderID < b.OrderID
		case a.IsCredit() != b.IsCredit():
			return a.IsCredit()
		case a.SubscriptionID != b.SubscriptionID:
			return a.SubscriptionID < b.SubscriptionID
		case a.SKU != b.SKU:
			return a.SKU < b.SKU
		default:
			return a.ChargeStart < b.ChargeStart
		}
	})
}

// KeyOf places a charge with the given activity date: the invoice of its
// account, billing, currency and the window holding the date (§3, §6).
func KeyOf(accountID string, b calendar.Billing, billingDay int, c money.Currency, activity calendar.Date) (Key, calendar.Window) {
	w := calendar.WindowOf(b, billingDay, activity)
	return Key{AccountID: accountID, Billing: b, WindowStart: w.Start, Currency: c}, w
}

// LinesOnly returns the invoice's charge lines without their tax.
func (inv Invoice) LinesOnly() []rating.Line {
	out := make([]rating.Line, len(inv.Lines))
	for i, l := range inv.Lines {
		out[i] = l.Line
	}
	return out
}

// CheckCells returns an error naming the first number of the invoice that a
// spreadsheet cell cannot hold exactly (more than 15 significant digits,
// §5, §10): such an invoice is never finalized, since its files could
// never be written.
func (inv Invoice) CheckCells() error {
	check := func(what string, d decimal.Decimal) error {
		if money.SignificantDigits(d.String()) > money.MaxSignificantDigits {
			return fmt.Errorf("%s %s has more than %d significant digits, which a spreadsheet cell cannot hold exactly", what, d, money.MaxSignificantDigits)
		}
		return nil
	}
	for i, l := range inv.Lines {
		for _, f := range []struct {
			what string
			d    decimal.Decimal
		}{{"unit price", l.UnitPrice}, {"effective unit price", l.EffectiveUnitPrice}, {"quantity", l.Quantity},
			{"amount", l.Amount}, {"tax", l.Tax}, {"total", l.Total}} {
			if err := check(fmt.Sprintf("line %d (subscription %s): %s", i+1, l.SubscriptionID, f.what), f.d); err != nil {
				return err
			}
		}
	}
	for _, f := range []struct {
		what string
		d    decimal.Decimal
	}{{"subtotal", inv.Subtotal}, {"tax", inv.Tax}, {"total", inv.Total}} {
		if err := check("the invoice's "+f.what, f.d); err != nil {
			return err
		}
	}
	return nil
}
