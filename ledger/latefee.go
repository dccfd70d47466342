package ledger

import (
	"sort"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/money"
)

// The rules of §13 over overdue invoices: whether an invoice is overdue,
// which late-fee policy applies to it, when it is assessed and for how much.

// Overdue reports whether an invoice is overdue on d: it has a due date, d
// is after it, and something is still due (§13).
func Overdue(due *calendar.Date, amountDue decimal.Decimal, d calendar.Date) bool {
	return due != nil && d > *due && amountDue.IsPositive()
}

// LateFeePolicy is a currency's late-fee policy, in effect from a date.
type LateFeePolicy struct {
	Currency      money.Currency
	AfterDays     int              // days after the due date before a fee, 0..365
	Fixed         decimal.Decimal  // a fixed amount, 0 for none
	Rate          decimal.Decimal  // a fraction of the amount due, 0 for none
	Minimum       *decimal.Decimal // the least fee, if any
	Maximum       *decimal.Decimal // the most fee, if any
	EffectiveFrom calendar.Date    // 0: since always
}

// PolicyOn returns the policy of currency c in effect on date d (the one
// with the latest effective_from on or before d), if any.
func PolicyOn(policies []LateFeePolicy, c money.Currency, d calendar.Date) (LateFeePolicy, bool) {
	var best LateFeePolicy
	found := false
	for _, p := range policies {
		if p.Currency == c && p.EffectiveFrom <= d && (!found || p.EffectiveFrom > best.EffectiveFrom) {
			best, found = p, true
		}
	}
	return best, found
}

// SortPolicies orders policies by currency, then effective date: the order
// billing lists them in.
func SortPolicies(policies []LateFeePolicy) {
	sort.Slice(policies, func(i, j int) bool {
		if policies[i].Currency != policies[j].Currency {
			return policies[i].Currency < policies[j].Currency
		}
		return policies[i].EffectiveFrom < policies[j].EffectiveFrom
	})
}

// AssessedFrom is the first date an invoice due on due may be given a fee
// under p: after_days full days after the due date.
func (p LateFeePolicy) AssessedFrom(due calendar.Date) calendar.Date {
	return due.AddDays(p.AfterDays + 1)
}

// Fee is the late fee on amountDue: fixed + round(rate × amount due),
// raised to the minimum and lowered to the maximum where the policy has
// them, rounded half away from zero to the currency's minor unit (§5).
func (p LateFeePolicy) Fee(amountDue decimal.Decimal) decimal.Decimal {
	fee := p.Fixed.Add(money.Round(p.Rate.Mul(amountDue), p.Currency))
	if p.Minimum != nil && fee.LessThan(*p.Minimum) {
		fee = *p.Minimum
	}
	if p.Maximum != nil && fee.GreaterThan(*p.Maximum) {
		fee = *p.Maximum
	}
	return money.Round(fee, p.Currency)
}

// LateFeeCandidate is an invoice as the dunning stage weighs it.
type LateFeeCandidate struct {
	Type      string // the invoice's type
	LateFee   bool   // the invoice is itself a late fee
	Currency  money.Currency
	Due       *calendar.Date // its due date; nil for none
	AmountDue decimal.Decimal
}

// Assess decides an invoice's late fee on date d (§13): assessed is true
// when the invoice is to be settled for good on d, with fee (zero issues
// nothing, and the invoice is never weighed again). An invoice without a
// due date, a credit, a refund or a late fee, one in a currency without a
// policy, one paid, and one whose day has not come are not assessed.
func Assess(inv LateFeeCandidate, policies []LateFeePolicy, d calendar.Date) (fee decimal.Decimal, assessed bool) {
	if inv.Due == nil || inv.LateFee || inv.Type == "credit" || inv.Type == "refund" || !inv.AmountDue.IsPositive() {
		return decimal.Zero, false
	}
	p, found := PolicyOn(policies, inv.Currency, *inv.Due)
	if !found || d < p.AssessedFrom(*inv.Due) {
		return decimal.Zero, false
	}
	return p.Fee(inv.AmountDue), true
}
