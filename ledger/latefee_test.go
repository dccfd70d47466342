package ledger

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/money"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func ptr(s string) *decimal.Decimal { d := dec(s); return &d }

func day(s string) calendar.Date { return calendar.MustParseDate(s) }

func TestTheLateFeeOfAPolicy(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name     string
		policy   LateFeePolicy
		due, fee string
	}{
		{"fixed alone", LateFeePolicy{Currency: "USD", Fixed: dec("15.00")}, "200.00", "15.00"},
		{"rate alone", LateFeePolicy{Currency: "USD", Rate: dec("0.015")}, "200.00", "3.00"},
		{"rate, rounded half away from zero", LateFeePolicy{Currency: "USD", Rate: dec("0.015")}, "100.30", "1.50"},
		{"rate on 0.50 rounds 0.0075 up", LateFeePolicy{Currency: "USD", Rate: dec("0.015")}, "0.50", "0.01"},
		{"rate on 0.30 rounds 0.0045 down", LateFeePolicy{Currency: "USD", Rate: dec("0.015")}, "0.30", "0.00"},
		{"fixed and rate", LateFeePolicy{Currency: "USD", Fixed: dec("5.00"), Rate: dec("0.01")}, "250.00", "7.50"},
		{"raised to the minimum", LateFeePolicy{Currency: "USD", Rate: dec("0.01"), Minimum: ptr("10.00")}, "250.00", "10.00"},
		{"lowered to the maximum", LateFeePolicy{Currency: "USD", Rate: dec("0.05"), Maximum: ptr("40.00")}, "1000.00", "40.00"},
		{"between minimum and maximum", LateFeePolicy{Currency: "USD", Rate: dec("0.02"), Minimum: ptr("10.00"), Maximum: ptr("40.00")}, "1000.00", "20.00"},
		{"all four fields", LateFeePolicy{Currency: "USD", Fixed: dec("2.00"), Rate: dec("0.015"), Minimum: ptr("5.00"), Maximum: ptr("25.00")}, "100.00", "5.00"},
		{"JPY has no decimals", LateFeePolicy{Currency: "JPY", Rate: dec("0.015")}, "12345", "185"},
		{"JPY half rounds away from zero", LateFeePolicy{Currency: "JPY", Rate: dec("0.5")}, "3", "2"},
		{"KWD has three", LateFeePolicy{Currency: "KWD", Rate: dec("0.015")}, "10.123", "0.152"},
		{"a fee of zero", LateFeePolicy{Currency: "USD"}, "500.00", "0.00"},
		{"a partial payment lowers the fee", LateFeePolicy{Currency: "USD", Rate: dec("0.10")}, "40.00", "4.00"},
	} {
		fee := c.policy.Fee(dec(c.due))
		if money.Format(fee, c.policy.Currency) != c.fee || !fee.Equal(dec(c.fee)) {
			t.Errorf("%s: the fee on %s is %s, want %s", c.name, c.due, fee, c.fee)
		}
	}
}

func TestWhichInvoicesAreAssessedAndWhen(t *testing.T) {
	t.Parallel()
	due := day("2026-07-15")
	policies := []LateFeePolicy{
		{Currency: "USD", AfterDays: 10, Fixed: dec("15.00")},
		{Currency: "USD", AfterDays: 10, Fixed: dec("20.00"), EffectiveFrom: day("2026-07-01")},
		{Currency: "USD", AfterDays: 10, Fixed: dec("99.00"), EffectiveFrom: day("2026-07-16")}, // after the due date: not this invoice's
		{Currency: "EUR", AfterDays: 0, Rate: dec("0.01")},
	}
	usd := LateFeeCandidate{Type: "recurring", Currency: "USD", Due: &due, AmountDue: dec("100.00")}
	with := func(f func(*LateFeeCandidate)) LateFeeCandidate { c := usd; f(&c); return c }
	for _, c := range []struct {
		name     string
		inv      LateFeeCandidate
		on       string
		assessed bool
		fee      string
	}{
		{"the day before the assessment day", usd, "2026-07-25", false, "0"},
		{"the assessment day (due + after_days + 1)", usd, "2026-07-26", true, "20.00"},
		{"the day after", usd, "2026-07-27", true, "20.00"},
		{"after_days 0: the day after the due date", with(func(c *LateFeeCandidate) { c.Currency = "EUR" }), "2026-07-16", true, "1.00"},
		{"after_days 0: not on the due date", with(func(c *LateFeeCandidate) { c.Currency = "EUR" }), "2026-07-15", false, "0"},
		{"a currency without a policy", with(func(c *LateFeeCandidate) { c.Currency = "GBP" }), "2026-12-31", false, "0"},
		{"paid", with(func(c *LateFeeCandidate) { c.AmountDue = decimal.Zero }), "2026-12-31", false, "0"},
		{"no due date", with(func(c *LateFeeCandidate) { c.Due = nil }), "2026-12-31", false, "0"},
		{"a late fee gets none", with(func(c *LateFeeCandidate) { c.LateFee = true; c.Type = "onetime" }), "2026-12-31", false, "0"},
		{"a credit gets none", with(func(c *LateFeeCandidate) { c.Type = "credit" }), "2026-12-31", false, "0"},
		{"a refund gets none", with(func(c *LateFeeCandidate) { c.Type = "refund" }), "2026-12-31", false, "0"},
		{"an adjustment is an invoice like any", with(func(c *LateFeeCandidate) { c.Type = "onetime" }), "2026-07-26", true, "20.00"},
	} {
		fee, assessed := Assess(c.inv, policies, day(c.on))
		if assessed != c.assessed || !fee.Equal(dec(c.fee)) {
			t.Errorf("%s: Assess on %s = %s, %v; want %s, %v", c.name, c.on, fee, assessed, c.fee, c.assessed)
		}
	}
}

func TestThePolicyInEffectOnTheDueDate(t *testing.T) {
	t.Parallel()
	policies := []LateFeePolicy{
		{Currency: "USD", Fixed: dec("1.00"), EffectiveFrom: day("2026-01-01")},
		{Currency: "USD", Fixed: dec("2.00"), EffectiveFrom: day("2026-06-01")},
		{Currency: "EUR", Fixed: dec("3.00")},
	}
	for _, c := range []struct {
		currency money.Currency
		on       string
		found    bool
		fixed    string
	}{
		{"USD", "2025-12-31", false, "0"},
		{"USD", "2026-01-01", true, "1.00"},
		{"USD", "2026-05-31", true, "1.00"},
		{"USD", "2026-06-01", true, "2.00"},
		{"EUR", "2000-01-01", true, "3.00"},
		{"JPY", "2026-06-01", false, "0"},
	} {
		p, found := PolicyOn(policies, c.currency, day(c.on))
		if found != c.found || !p.Fixed.Equal(dec(c.fixed)) {
			t.Errorf("PolicyOn(%s, %s) = %s, %v; want %s, %v", c.currency, c.on, p.Fixed, found, c.fixed, c.found)
		}
	}
}

func TestOverdue(t *testing.T) {
	t.Parallel()
	due := day("2026-07-15")
	for _, c := range []struct {
		due  *calendar.Date
		left string
		on   string
		want bool
	}{
		{&due, "10.00", "2026-07-15", false},
		{&due, "10.00", "2026-07-16", true},
		{&due, "0.00", "2026-07-16", false},
		{nil, "10.00", "2026-07-16", false},
	} {
		if got := Overdue(c.due, dec(c.left), day(c.on)); got != c.want {
			t.Errorf("Overdue(%v, %s, %s) = %v", c.due, c.left, c.on, got)
		}
	}
}
