package rating_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/rating"
)

var (
	d   = calendar.MustParseDate
	dec = decimal.RequireFromString
)

func flat(unit string) rating.PriceSchedule {
	return rating.PriceSchedule{{Always: true, Price: rating.Price{Tiers: []rating.Tier{{From: decimal.Zero, UnitPrice: dec(unit)}}}}}
}

func order(id string, action rating.Action, qty int64, date string) rating.Order {
	return rating.Order{ID: id, Action: action, Quantity: decimal.NewFromInt(qty), Date: d(date)}
}

func license(currency money.Currency, prices rating.PriceSchedule, orders ...rating.Order) *rating.Subscription {
	return &rating.Subscription{ID: "S1", CustomerID: "C1", SKU: "LIC", Kind: rating.KindLicense,
		Billing: calendar.BillingAnniversary, Currency: currency, Prices: prices, Orders: orders}
}

// describe writes a line as §4.1 does: purchase date, charge start–end,
// effective unit price, quantity, amount, charge type.
func describe(l rating.Line) string {
	return fmt.Sprintf("%s %s–%s %s×%s=%s %s", l.ActivityDate, l.ChargeStart.String()[5:], l.ChargeEnd.String()[5:],
		l.EffectiveUnitPrice.StringFixed(2), l.Quantity, l.Amount.StringFixed(2), l.ChargeType)
}

func describeAll(lines []rating.Line) string {
	var out []string
	for _, l := range lines {
		out = append(out, describe(l))
	}
	return strings.Join(out, "\n")
}

func TestWorkedExamplesOfSpec41(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		orders []rating.Order
		want   []string
	}{
		{"buy 1 on Jun 11, add 1 on Jun 11",
			[]rating.Order{order("O1", rating.ActionNew, 1, "2026-06-11"), order("O2", rating.ActionAddQuantity, 2, "2026-06-11")},
			[]string{
				"2026-06-11 06-11–07-10 4.00×1=4.00 new",
				"2026-06-11 06-11–07-10 -4.00×1=-4.00 addQuantity",
				"2026-06-11 06-11–07-10 4.00×2=8.00 addQuantity",
			}},
		{"buy 1 on Jun 11, add 1 on Jun 12",
			[]rating.Order{order("O1", rating.ActionNew, 1, "2026-06-11"), order("O2", rating.ActionAddQuantity, 2, "2026-06-12")},
			[]string{
				"2026-06-11 06-11–07-10 4.00×1=4.00 new",
				"2026-06-12 06-12–07-10 -3.87×1=-3.87 addQuantity",
				"2026-06-12 06-12–07-10 3.87×2=7.74 addQuantity",
			}},
		{"buy 2 on Jun 11, remove 1 on Jun 11",
			[]rating.Order{order("O1", rating.ActionNew, 2, "2026-06-11"), order("O2", rating.ActionRemoveQuantity, 1, "2026-06-11")},
			[]string{
				"2026-06-11 06-11–07-10 4.00×2=8.00 new",
				"2026-06-11 06-11–07-10 -4.00×2=-8.00 removeQuantity",
				"2026-06-11 06-11–07-10 4.00×1=4.00 removeQuantity",
			}},
		{"buy 2 on Jun 11, remove 1 on Jun 12",
			[]rating.Order{order("O1", rating.ActionNew, 2, "2026-06-11"), order("O2", rating.ActionRemoveQuantity, 1, "2026-06-12")},
			[]string{
				"2026-06-11 06-11–07-10 4.00×2=8.00 new",
				"2026-06-12 06-12–07-10 -3.87×2=-7.74 removeQuantity",
				"2026-06-12 06-12–07-10 3.87×1=3.87 removeQuantity",
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			lines, held := rating.Lines(license("USD", flat("4.00"), tc.orders...), d("2026-06-14"))
			if got := describeAll(lines); got != strings.Join(tc.want, "\n") || len(held) != 0 {
				t.Errorf("lines:\n%s\nheld %v\nwant:\n%s", got, held, strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestProratedLinesCarryTheirDays(t *testing.T) {
	t.Parallel()
	lines, _ := rating.Lines(license("USD", flat("4.00"),
		order("O1", rating.ActionNew, 1, "2026-06-11"), order("O2", rating.ActionAddQuantity, 2, "2026-06-12")), d("2026-06-14"))
	if lines[1].DaysCharged != 29 || lines[1].TermDays != 30 || lines[2].DaysCharged != 29 || lines[2].TermDays != 30 {
		t.Errorf("days charged/term: %d/%d and %d/%d, want 29/30", lines[1].DaysCharged, lines[1].TermDays, lines[2].DaysCharged, lines[2].TermDays)
	}
}

func TestRenewalsAndChangesOverTerms(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		through string
		orders  []rating.Order
		want    []string
	}{
		{"renewal at each term start at the current quantity", "2026-08-11",
			[]rating.Order{order("O1", rating.ActionNew, 2, "2026-06-11")},
			[]string{
				"2026-06-11 06-11–07-10 4.00×2=8.00 new",
				"2026-07-11 07-11–08-10 4.00×2=8.00 renew",
				"2026-08-11 08-11–09-10 4.00×2=8.00 renew",
			}},
		{"a change on a term's first day applies after that term's renewal", "2026-07-11",
			[]rating.Order{order("O1", rating.ActionNew, 1, "2026-06-11"), order("O2", rating.ActionAddQuantity, 3, "2026-07-11")},
			[]string{
				"2026-06-11 06-11–07-10 4.00×1=4.00 new",
				"2026-07-11 07-11–08-10 4.00×1=4.00 renew",
				"2026-07-11 07-11–08-10 -4.00×1=-4.00 addQuantity",
				"2026-07-11 07-11–08-10 4.00×3=12.00 addQuantity",
			}},
		{"cancel on a term's first day credits the whole renewed term", "2026-09-30",
			[]rating.Order{order("O1", rating.ActionNew, 1, "2026-06-11"), order("O2", rating.ActionCancel, 0, "2026-07-11")},
			[]string{
				"2026-06-11 06-11–07-10 4.00×1=4.00 new",
				"2026-07-11 07-11–08-10 4.00×1=4.00 renew",
				"2026-07-11 07-11–08-10 -4.00×1=-4.00 cancel",
			}},
		{"cancel on a term's last day credits one day", "2026-09-30",
			[]rating.Order{order("O1", rating.ActionNew, 3, "2026-06-11"), order("O2", rating.ActionCancel, 0, "2026-07-10")},
			[]string{
				"2026-06-11 06-11–07-10 4.00×3=12.00 new",
				"2026-07-10 07-10–07-10 -0.13×3=-0.39 cancel",
			}},
		{"same-day and next-day changes stack in order-id order", "2026-06-30",
			[]rating.Order{order("O1", rating.ActionNew, 1, "2026-06-11"), order("O3", rating.ActionRemoveQuantity, 2, "2026-06-12"),
				order("O2", rating.ActionAddQuantity, 4, "2026-06-12"), order("O4", rating.ActionAddQuantity, 5, "2026-06-13")},
			[]string{
				"2026-06-11 06-11–07-10 4.00×1=4.00 new",
				"2026-06-12 06-12–07-10 -3.87×1=-3.87 addQuantity",
				"2026-06-12 06-12–07-10 3.87×4=15.48 addQuantity",
				"2026-06-12 06-12–07-10 -3.87×4=-15.48 removeQuantity",
				"2026-06-12 06-12–07-10 3.87×2=7.74 removeQuantity",
				"2026-06-13 06-13–07-10 -3.73×2=-7.46 addQuantity",
				"2026-06-13 06-13–07-10 3.73×5=18.65 addQuantity",
			}},
		{"a subscription started Jan 31 renews on the clamped days", "2024-04-30",
			[]rating.Order{order("O1", rating.ActionNew, 1, "2024-01-31")},
			[]string{
				"2024-01-31 01-31–02-28 4.00×1=4.00 new",
				"2024-02-29 02-29–03-30 4.00×1=4.00 renew",
				"2024-03-31 03-31–04-29 4.00×1=4.00 renew",
				"2024-04-30 04-30–05-30 4.00×1=4.00 renew",
			}},
		{"orders after through are not charged yet", "2026-06-11",
			[]rating.Order{order("O1", rating.ActionNew, 1, "2026-06-11"), order("O2", rating.ActionAddQuantity, 2, "2026-06-12")},
			[]string{"2026-06-11 06-11–07-10 4.00×1=4.00 new"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			lines, held := rating.Lines(license("USD", flat("4.00"), tc.orders...), d(tc.through))
			if got := describeAll(lines); got != strings.Join(tc.want, "\n") || len(held) != 0 {
				t.Errorf("lines:\n%s\nheld %v\nwant:\n%s", got, held, strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestOrdersThatCannotApplyAreHeldWithTheirReason(t *testing.T) {
	t.Parallel()
	sub := license("USD", flat("4.00"),
		order("O0", rating.ActionAddQuantity, 2, "2026-06-01"),
		order("O1", rating.ActionNew, 2, "2026-06-11"),
		order("O2", rating.ActionNew, 2, "2026-06-12"),
		order("O3", rating.ActionAddQuantity, 1, "2026-06-13"),
		order("O4", rating.ActionRemoveQuantity, 5, "2026-06-13"),
		order("O5", rating.ActionCancel, 0, "2026-06-14"),
		order("O6", rating.ActionAddQuantity, 3, "2026-06-15"),
	)
	_, held := rating.Lines(sub, d("2026-06-30"))
	var got []string
	for _, h := range held {
		got = append(got, h.OrderID+": "+h.Reason)
	}
	want := []string{
		"O0: addQuantity before the subscription's new order",
		"O2: a second new order for a subscription already started on 2026-06-11",
		"O3: addQuantity to 1 does not raise the quantity 2",
		"O4: removeQuantity to 5 does not lower the quantity 2",
		"O6: addQuantity after the subscription was cancelled by order O5",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("held:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestThePriceInEffectOnTheActivityDate(t *testing.T) {
	t.Parallel()
	prices := rating.PriceSchedule{
		{Always: true, Price: rating.Price{Tiers: []rating.Tier{{UnitPrice: dec("4.00")}}}},
		{From: d("2026-07-15"), Price: rating.Price{Tiers: []rating.Tier{{UnitPrice: dec("5.00")}}}},
	}
	lines, _ := rating.Lines(license("USD", prices, order("O1", rating.ActionNew, 1, "2026-06-11")), d("2026-08-11"))
	want := "2026-06-11 06-11–07-10 4.00×1=4.00 new\n2026-07-11 07-11–08-10 4.00×1=4.00 renew\n2026-08-11 08-11–09-10 5.00×1=5.00 renew"
	if got := describeAll(lines); got != want {
		t.Errorf("lines:\n%s\nwant:\n%s", got, want)
	}
	_, held := rating.Lines(license("EUR", nil, order("O1", rating.ActionNew, 1, "2026-06-11")), d("2026-06-30"))
	if len(held) != 1 || held[0].Reason != "no EUR price for LIC in effect on 2026-06-11" {
		t.Errorf("held %+v", held)
	}
}

func TestZeroAndThreeDecimalCurrencies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		currency money.Currency
		unit     string
		want     string // per-unit prorated price for 29 of 30 days
	}{
		{"JPY", "1000", "967"}, // 966.67
		{"JPY", "15", "15"},    // 14.5 rounds away from zero
		{"KWD", "4.000", "3.867"},
		{"USD", "4.00", "3.87"},
		{"USD", "0.15", "0.15"}, // 0.145 rounds away from zero
	} {
		got := rating.ProratedUnitPrice(dec(tc.unit), 29, 30, tc.currency)
		if got.String() != tc.want {
			t.Errorf("%s %s × 29/30 = %s, want %s", tc.unit, tc.currency, got, tc.want)
		}
	}
}

func TestOnetimePurchase(t *testing.T) {
	t.Parallel()
	sub := &rating.Subscription{ID: "R1", CustomerID: "C1", SKU: "RES", Kind: rating.KindOnetime, Billing: calendar.BillingCalendar,
		Currency: "JPY", Prices: flat("1299.5"), Orders: []rating.Order{order("O1", rating.ActionNew, 3, "2026-06-20"), order("O2", rating.ActionCancel, 0, "2026-06-21")}}
	lines, held := rating.Lines(sub, d("2026-06-30"))
	if len(lines) != 1 || lines[0].Amount.String() != "3899" || lines[0].ChargeStart != d("2026-06-20") || lines[0].ChargeEnd != d("2026-06-20") {
		t.Errorf("lines %+v", lines)
	}
	if len(held) != 1 || held[0].Reason != "cancel on a one-time purchase (only new orders apply)" {
		t.Errorf("held %+v", held)
	}
}

func TestCurrencyRule(t *testing.T) {
	t.Parallel()
	if c := rating.Currency(calendar.BillingAnniversary, "USD", "EUR"); c != "USD" {
		t.Errorf("anniversary charges in %s, want the account's USD", c)
	}
	if c := rating.Currency(calendar.BillingCalendar, "USD", "EUR"); c != "EUR" {
		t.Errorf("calendar charges in %s, want the customer's EUR", c)
	}
}
