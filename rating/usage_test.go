package rating_test

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/rating"
)

// apiTiers is the example metered price: 0.010 up to 1,000 units, 0.008 up
// to 10,000, 0.005 above.
var apiTiers = rating.Price{Tiers: []rating.Tier{
	{From: dec("0"), UnitPrice: dec("0.010")},
	{From: dec("1000"), UnitPrice: dec("0.008")},
	{From: dec("10000"), UnitPrice: dec("0.005")},
}}

func TestGraduatedTiers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, quantity, amount, detail string
	}{
		{"no usage", "0", "0.00", ""},
		{"inside the first tier", "150", "1.50", "150 × 0.01 = 1.5"},
		{"exactly at the first threshold", "1000", "10.00", "1000 × 0.01 = 10"},
		{"one unit past the first threshold", "1001", "10.01", "1000 × 0.01 = 10; 1 × 0.008 = 0.008"},
		{"exactly at the second threshold", "10000", "82.00", "1000 × 0.01 = 10; 9000 × 0.008 = 72"},
		{"one unit past the second threshold", "10001", "82.01", "1000 × 0.01 = 10; 9000 × 0.008 = 72; 1 × 0.005 = 0.005"},
		{"rounded once at the end", "1003", "10.02", "1000 × 0.01 = 10; 3 × 0.008 = 0.024"},
		{"fractional units", "0.5", "0.01", "0.5 × 0.01 = 0.005"},
	} {
		amount, detail := rating.RateUsage(apiTiers, dec(tc.quantity), "USD")
		if amount.StringFixed(2) != tc.amount || detail != tc.detail {
			t.Errorf("%s: %s units = %s (%s), want %s (%s)", tc.name, tc.quantity, amount.StringFixed(2), detail, tc.amount, tc.detail)
		}
	}
}

func usageSub(orders ...rating.Order) *rating.Subscription {
	return &rating.Subscription{ID: "U1", CustomerID: "C1", SKU: "API", Kind: rating.KindUsage, Billing: calendar.BillingAnniversary,
		Currency: "USD", Prices: rating.PriceSchedule{{Always: true, Price: apiTiers}}, Orders: orders}
}

func event(date string, qty string) rating.UsageEvent {
	return rating.UsageEvent{Date: d(date), Quantity: dec(qty)}
}

func TestUsageIsOneLinePerWindowWithinTheActiveDates(t *testing.T) {
	t.Parallel()
	sub := usageSub(order("N", rating.ActionNew, 0, "2026-06-05"), order("X", rating.ActionCancel, 0, "2026-07-20"))
	lines, held := rating.UsageLines(sub, 15, []rating.UsageEvent{
		event("2026-06-04", "10"),  // before the start
		event("2026-06-05", "600"), // the first active day
		event("2026-06-14", "500"), // the window's last day
		event("2026-06-15", "200"), // the next window
		event("2026-07-19", "50"),  // the last active day
		event("2026-07-20", "70"),  // the cancel's day: no longer active
	}, d("2026-07-31"))
	var got []string
	for _, l := range lines {
		got = append(got, l.ChargeStart.String()+"–"+l.ChargeEnd.String()+" "+l.Quantity.String()+" "+l.Amount.StringFixed(2)+" "+string(l.ChargeType)+" ("+l.Detail+")")
	}
	want := []string{
		"2026-05-15–2026-06-14 1100 10.80 usage (1000 × 0.01 = 10; 100 × 0.008 = 0.8)",
		"2026-06-15–2026-07-14 200 2.00 usage (200 × 0.01 = 2)",
		"2026-07-15–2026-08-14 50 0.50 usage (50 × 0.01 = 0.5)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var reasons []string
	for _, h := range held {
		reasons = append(reasons, h.Date.String()+" "+h.Quantity.String()+": "+h.Reason)
	}
	wantHeld := []string{
		"2026-06-04 10: before the subscription's start on 2026-06-05",
		"2026-07-20 70: after the subscription ended on 2026-07-19",
	}
	if strings.Join(reasons, "\n") != strings.Join(wantHeld, "\n") {
		t.Errorf("held:\n%s\nwant:\n%s", strings.Join(reasons, "\n"), strings.Join(wantHeld, "\n"))
	}
}

func TestUsageWithoutANewOrderIsHeld(t *testing.T) {
	t.Parallel()
	_, held := rating.UsageLines(usageSub(), 1, []rating.UsageEvent{event("2026-06-04", "10")}, d("2026-06-30"))
	if len(held) != 1 || held[0].Reason != "no new order for the subscription" {
		t.Errorf("held %+v", held)
	}
}

func TestUsageLineEffectiveUnitPriceIsTheAverage(t *testing.T) {
	t.Parallel()
	w := calendar.AnniversaryWindow(1, d("2026-06-10"))
	line, ok := rating.UsageLine(usageSub(), w, decimal.NewFromInt(3000))
	if !ok || line.Amount.StringFixed(2) != "26.00" || line.EffectiveUnitPrice.String() != "0.008667" || line.UnitPrice.String() != "0.01" {
		t.Errorf("line %+v", line)
	}
}
