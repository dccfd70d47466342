package rating_test

import (
	"testing"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/rating"
)

// BenchmarkLicenseLines generates two years of lines for a subscription with
// a seat change every quarter and a cancellation: renewals, credits and
// rebills. It reports lines per second on one core.
func BenchmarkLicenseLines(b *testing.B) {
	orders := []rating.Order{order("O00", rating.ActionNew, 5, "2024-01-31")}
	qty := int64(5)
	for i, date := range []string{"2024-04-12", "2024-07-03", "2024-10-30", "2025-01-31", "2025-05-17", "2025-08-01"} {
		action := rating.ActionAddQuantity
		qty += 2
		if i%2 == 1 {
			action = rating.ActionRemoveQuantity
			qty -= 3
		}
		orders = append(orders, order("O0"+string(rune('1'+i)), action, qty, date))
	}
	orders = append(orders, order("O09", rating.ActionCancel, 0, "2025-12-20"))
	sub := license("USD", flat("19.99"), orders...)
	through := calendar.MustParseDate("2026-01-31")
	lines, _ := rating.Lines(sub, through)
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		out, _ := rating.Lines(sub, through)
		n += len(out)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(float64(len(lines)), "lines/op")
}

// BenchmarkUsageLine rates one window of usage through three tiers.
func BenchmarkUsageLine(b *testing.B) {
	sub := usageSub()
	w := calendar.AnniversaryWindow(15, calendar.MustParseDate("2026-06-20"))
	qty := dec("12345.5")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		rating.UsageLine(sub, w, qty)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
