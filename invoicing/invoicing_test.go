package invoicing_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/invoicing"
	"github.com/openbilling/billing/rating"
)

var (
	d   = calendar.MustParseDate
	dec = decimal.RequireFromString
)

func flat(unit string) rating.PriceSchedule {
	return rating.PriceSchedule{{Always: true, Price: rating.Price{Tiers: []rating.Tier{{UnitPrice: dec(unit)}}}}}
}

func scenarioLines(t *testing.T, id string, orders ...rating.Order) []rating.Line {
	t.Helper()
	sub := &rating.Subscription{ID: id, CustomerID: "C-" + id, SKU: "LIC", Kind: rating.KindLicense,
		Billing: calendar.BillingAnniversary, Currency: "USD", Prices: flat("4.00"), Orders: orders}
	lines, held := rating.Lines(sub, d("2026-06-14"))
	if len(held) != 0 {
		t.Fatalf("held %+v", held)
	}
	return lines
}

func o(id string, a rating.Action, q int64, date string) rating.Order {
	return rating.Order{ID: id, Action: a, Quantity: decimal.NewFromInt(q), Date: d(date)}
}

// 8.00 + 7.87 + 4.00 + 4.13: each scenario nets to what its customer keeps.
func TestTheFourScenariosOnOneInvoiceIssuedJune15(t *testing.T) {
	t.Parallel()
	var lines []rating.Line
	lines = append(lines, scenarioLines(t, "S4", o("O4a", rating.ActionNew, 2, "2026-06-11"), o("O4b", rating.ActionRemoveQuantity, 1, "2026-06-12"))...)
	lines = append(lines, scenarioLines(t, "S1", o("O1a", rating.ActionNew, 1, "2026-06-11"), o("O1b", rating.ActionAddQuantity, 2, "2026-06-11"))...)
	lines = append(lines, scenarioLines(t, "S2", o("O2a", rating.ActionNew, 1, "2026-06-11"), o("O2b", rating.ActionAddQuantity, 2, "2026-06-12"))...)
	lines = append(lines, scenarioLines(t, "S3", o("O3a", rating.ActionNew, 2, "2026-06-11"), o("O3b", rating.ActionRemoveQuantity, 1, "2026-06-11"))...)
	key, w := invoicing.KeyOf("P1", calendar.BillingAnniversary, 15, "USD", d("2026-06-11"))
	inv, ok := invoicing.Assemble(key, w, lines, dec("0"), true)
	if !ok {
		t.Fatal("no invoice")
	}
	var got []string
	for _, l := range inv.Lines {
		got = append(got, fmt.Sprintf("%s %s %s %s×%s=%s", l.ActivityDate, l.OrderID, l.ChargeType, l.EffectiveUnitPrice.StringFixed(2), l.Quantity, l.Amount.StringFixed(2)))
	}
	want := []string{
		"2026-06-11 O1a new 4.00×1=4.00",
		"2026-06-11 O1b addQuantity -4.00×1=-4.00",
		"2026-06-11 O1b addQuantity 4.00×2=8.00",
		"2026-06-11 O2a new 4.00×1=4.00",
		"2026-06-11 O3a new 4.00×2=8.00",
		"2026-06-11 O3b removeQuantity -4.00×2=-8.00",
		"2026-06-11 O3b removeQuantity 4.00×1=4.00",
		"2026-06-11 O4a new 4.00×2=8.00",
		"2026-06-12 O2b addQuantity -3.87×1=-3.87",
		"2026-06-12 O2b addQuantity 3.87×2=7.74",
		"2026-06-12 O4b removeQuantity -3.87×2=-7.74",
		"2026-06-12 O4b removeQuantity 3.87×1=3.87",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if inv.IssueDate != d("2026-06-15") || inv.Window.Start != d("2026-05-15") || inv.Window.End != d("2026-06-14") {
		t.Errorf("issued %s for %s", inv.IssueDate, inv.Window.Period)
	}
	if inv.Subtotal.StringFixed(2) != "24.00" || inv.Tax.StringFixed(2) != "0.00" || inv.Total.StringFixed(2) != "24.00" || inv.Type != invoicing.TypeNew {
		t.Errorf("subtotal %s tax %s total %s type %s", inv.Subtotal, inv.Tax, inv.Total, inv.Type)
	}
}

func TestScenarioTwoAloneTotals787(t *testing.T) {
	t.Parallel()
	lines := scenarioLines(t, "S2", o("O2a", rating.ActionNew, 1, "2026-06-11"), o("O2b", rating.ActionAddQuantity, 2, "2026-06-12"))
	key, w := invoicing.KeyOf("P1", calendar.BillingAnniversary, 15, "USD", d("2026-06-11"))
	inv, _ := invoicing.Assemble(key, w, lines, dec("0"), true)
	if inv.Total.StringFixed(2) != "7.87" {
		t.Errorf("total %s, want 7.87", inv.Total)
	}
}

func TestTaxPerLineRoundedThenSummed(t *testing.T) {
	t.Parallel()
	lines := []rating.Line{
		{SubscriptionID: "A", OrderID: "1", ActivityDate: d("2026-06-01"), EffectiveUnitPrice: dec("0.05"), Quantity: dec("1"), Amount: dec("0.05")},
		{SubscriptionID: "B", OrderID: "2", ActivityDate: d("2026-06-01"), EffectiveUnitPrice: dec("0.05"), Quantity: dec("1"), Amount: dec("0.05")},
		{SubscriptionID: "C", OrderID: "3", ActivityDate: d("2026-06-01"), EffectiveUnitPrice: dec("0.05"), Quantity: dec("1"), Amount: dec("0.05")},
	}
	key, w := invoicing.KeyOf("M1", calendar.BillingCalendar, 1, "GBP", d("2026-06-01"))
	inv, _ := invoicing.Assemble(key, w, lines, dec("0.10"), false)
	// Each line: 0.05 × 0.10 = 0.005 → 0.01; three lines 0.03 (not round(0.015) = 0.02).
	if inv.Tax.String() != "0.03" || inv.Total.String() != "0.18" || inv.Type != invoicing.TypeOnetime || inv.IssueDate != d("2026-07-08") {
		t.Errorf("tax %s total %s type %s issued %s", inv.Tax, inv.Total, inv.Type, inv.IssueDate)
	}
	jpy := invoicing.LineTax(dec("1299"), dec("0.10"), "JPY")
	kwd := invoicing.LineTax(dec("1.235"), dec("0.05"), "KWD")
	if jpy.String() != "130" || kwd.String() != "0.062" {
		t.Errorf("JPY tax %s, KWD tax %s; want 130 and 0.062", jpy, kwd)
	}
}

func TestInvoiceTypes(t *testing.T) {
	t.Parallel()
	line := func(amount string) []rating.Line {
		return []rating.Line{{ActivityDate: d("2026-06-01"), EffectiveUnitPrice: dec(amount), Quantity: dec("1"), Amount: dec(amount)}}
	}
	anniversary, w := invoicing.KeyOf("P1", calendar.BillingAnniversary, 15, "USD", d("2026-06-01"))
	calendarKey, cw := invoicing.KeyOf("P1", calendar.BillingCalendar, 15, "EUR", d("2026-06-01"))
	for _, tc := range []struct {
		name  string
		key   invoicing.Key
		w     calendar.Window
		first bool
		lines []rating.Line
		want  invoicing.Type
	}{
		{"the account's first anniversary invoice is new", anniversary, w, true, line("4"), invoicing.TypeNew},
		{"later anniversary invoices are recurring", anniversary, w, false, line("4"), invoicing.TypeRecurring},
		{"calendar invoices are onetime", calendarKey, cw, false, line("4"), invoicing.TypeOnetime},
		{"an anniversary invoice below zero is a credit", anniversary, w, false, line("-4"), invoicing.TypeCredit},
		{"a calendar invoice below zero is a credit", calendarKey, cw, false, line("-4"), invoicing.TypeCredit},
	} {
		inv, _ := invoicing.Assemble(tc.key, tc.w, tc.lines, decimal.Zero, tc.first)
		if inv.Type != tc.want {
			t.Errorf("%s: got %s", tc.name, inv.Type)
		}
	}
	if _, ok := invoicing.Assemble(anniversary, w, nil, decimal.Zero, true); ok {
		t.Error("a window with no lines produced an invoice")
	}
}

func TestTaxRateInEffectOnTheIssueDate(t *testing.T) {
	t.Parallel()
	rates := invoicing.TaxRates{
		{Country: "GB", Always: true, Rate: dec("0.175")},
		{Country: "GB", From: d("2026-07-01"), Rate: dec("0.20")},
		{Country: "DE", Always: true, Rate: dec("0.19")},
	}
	for _, tc := range []struct {
		country, date, want string
		found               bool
	}{
		{"GB", "2026-06-30", "0.175", true},
		{"GB", "2026-07-01", "0.2", true},
		{"DE", "2026-07-08", "0.19", true},
		{"US", "2026-07-08", "0", false},
	} {
		rate, found := rates.At(tc.country, d(tc.date))
		if rate.String() != tc.want || found != tc.found {
			t.Errorf("%s on %s: %s %v, want %s %v", tc.country, tc.date, rate, found, tc.want, tc.found)
		}
	}
}

func usageLine(qty, amount string) rating.Line {
	return rating.Line{CustomerID: "C1", SubscriptionID: "U1", SKU: "API", ChargeType: rating.ChargeTypeUsage,
		ChargeStart: d("2026-06-01"), ChargeEnd: d("2026-06-30"), ActivityDate: d("2026-06-01"),
		UnitPrice: dec("0.01"), EffectiveUnitPrice: dec("0.01"), Quantity: dec(qty), Amount: dec(amount)}
}

func describe(lines []rating.Line) string {
	var out []string
	for _, l := range lines {
		out = append(out, fmt.Sprintf("%s %s×%s=%s reversal=%v", l.ChargeType, l.EffectiveUnitPrice, l.Quantity, l.Amount, l.Reversal))
	}
	return strings.Join(out, "\n")
}

func TestAdjustmentIsTheMultisetDifference(t *testing.T) {
	t.Parallel()
	invoiced := []rating.Line{usageLine("100", "1.00")}
	recomputed := []rating.Line{usageLine("150", "1.50")}
	got := invoicing.AdjustmentLines(invoiced, recomputed)
	want := "usage -0.01×100=-1 reversal=true\nusage 0.01×150=1.5 reversal=false"
	if describe(got) != want {
		t.Errorf("adjustment:\n%s\nwant:\n%s", describe(got), want)
	}
	// Once adjusted, the adjustment counts as invoiced: a second rerun has nothing to add.
	if again := invoicing.AdjustmentLines(append(invoiced, got...), recomputed); len(again) != 0 {
		t.Errorf("second rerun:\n%s", describe(again))
	}
	// Nothing changed: no lines.
	if same := invoicing.AdjustmentLines(invoiced, []rating.Line{usageLine("100", "1.0")}); len(same) != 0 {
		t.Errorf("no difference gave:\n%s", describe(same))
	}
	// A line that no longer holds is negated; a repeated line counts twice.
	twice := invoicing.AdjustmentLines([]rating.Line{usageLine("5", "0.05"), usageLine("5", "0.05")}, []rating.Line{usageLine("5", "0.05")})
	if describe(twice) != "usage -0.01×5=-0.05 reversal=true" {
		t.Errorf("multiset:\n%s", describe(twice))
	}
}

func TestAdjustmentInvoiceKeepsTheOriginalWindowAndRate(t *testing.T) {
	t.Parallel()
	key, w := invoicing.KeyOf("U1", calendar.BillingAnniversary, 1, "USD", d("2026-06-01"))
	original, _ := invoicing.Assemble(key, w, []rating.Line{usageLine("100", "1.00")}, dec("0.20"), false)
	lines := invoicing.AdjustmentLines(original.LinesOnly(), []rating.Line{usageLine("50", "0.50")})
	adj, ok := invoicing.AssembleAdjustment(original, lines, d("2026-08-03"))
	if !ok || adj.Window != original.Window || adj.IssueDate != d("2026-08-03") || adj.Type != invoicing.TypeCredit ||
		adj.Subtotal.String() != "-0.5" || adj.Tax.String() != "-0.1" || adj.Total.String() != "-0.6" {
		t.Errorf("adjustment %s %s issued %s: %s + %s = %s", adj.Type, adj.Window.Period, adj.IssueDate, adj.Subtotal, adj.Tax, adj.Total)
	}
	grown, _ := invoicing.AssembleAdjustment(original, invoicing.AdjustmentLines(original.LinesOnly(), []rating.Line{usageLine("150", "1.50")}), d("2026-08-03"))
	if grown.Type != invoicing.TypeRecurring || grown.Total.String() != "0.6" {
		t.Errorf("grown adjustment %s total %s, want recurring 0.6", grown.Type, grown.Total)
	}
}
