// Package ledger holds the rules of §9 over an account's book: amounts
// due and payment status, allocation oldest first, the balance, and the
// amounts a payment may carry. It is pure: the store reads and writes the
// entries, this package decides what they are.
package ledger

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/money"
)

// The payment statuses of an invoice (§9).
const (
	Open          = "open"
	PartiallyPaid = "partially_paid"
	Paid          = "paid"
)

// Invoice is a finalized invoice as allocation sees it.
type Invoice struct {
	Number    string
	IssueDate calendar.Date
	Total     decimal.Decimal
	Allocated decimal.Decimal // what payments and credits have paid of it
}

// Due is what is left to pay: the total less what is allocated, never
// below zero (a credit or refund invoice owes nothing; it is a credit).
func (i Invoice) Due() decimal.Decimal { return Due(i.Total, i.Allocated) }

// Due is an invoice's amount due from its total and what is allocated to it.
func Due(total, allocated decimal.Decimal) decimal.Decimal {
	if d := total.Sub(allocated); d.IsPositive() {
		return d
	}
	return decimal.Zero
}

// Status is an invoice's payment status from its total and what is
// allocated to it: paid once nothing is due (a credit is paid as issued).
func Status(total, allocated decimal.Decimal) string {
	switch {
	case !Due(total, allocated).IsPositive():
		return Paid
	case allocated.IsPositive():
		return PartiallyPaid
	default:
		return Open
	}
}

// Source is money that can pay invoices: a payment received or a credit
// (a credit or refund invoice), with what is left of it.
type Source struct {
	PaymentID    string // a payment, or
	CreditNumber string // a credit or refund invoice
	Available    decimal.Decimal
}

// Allocation is an amount of a source paid to an invoice.
type Allocation struct {
	Invoice      string
	PaymentID    string
	CreditNumber string
	Amount       decimal.Decimal
}

// Allocate pays the open invoices of one account and currency from the
// sources, in the sources' order, oldest invoice first (issue date, then
// number); what no invoice takes stays with its source as unallocated
// credit (§9). Neither slice is changed.
func Allocate(invoices []Invoice, sources []Source) []Allocation {
	open := slices.Clone(invoices)
	slices.SortStableFunc(open, func(a, b Invoice) int {
		if c := cmp.Compare(a.IssueDate, b.IssueDate); c != 0 {
			return c
		}
		return strings.Compare(a.Number, b.Number)
	})
	var out []Allocation
	next := 0
	for _, s := range sources {
		left := s.Available
		for left.IsPositive() && next < len(open) {
			inv := &open[next]
			due := inv.Due()
			if !due.IsPositive() {
				next++
				continue
			}
			amount := decimal.Min(due, left)
			out = append(out, Allocation{Invoice: inv.Number, PaymentID: s.PaymentID, CreditNumber: s.CreditNumber, Amount: amount})
			inv.Allocated = inv.Allocated.Add(amount)
			left = left.Sub(amount)
		}
	}
	return out
}

// CheckAmount accepts a positive amount that is a whole number of the
// currency's minor units: 10.005 USD is refused, never rounded (§9).
func CheckAmount(amount decimal.Decimal, c money.Currency) error {
	if !amount.IsPositive() {
		return fmt.Errorf("amount %s must be positive", amount)
	}
	if !money.Round(amount, c).Equal(amount) {
		return fmt.Errorf("amount %s %s is finer than the currency's minor unit (%d decimals)", amount, c, c.MinorUnits())
	}
	return nil
}
