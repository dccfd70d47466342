package money

import (
	"strings"

	"github.com/shopspring/decimal"
)

// Round rounds d to the currency's minor unit, half away from zero (§5):
// 3.865 USD → 3.87, −3.865 USD → −3.87, 1234.5 JPY → 1235, 1.2345 KWD → 1.235.
func Round(d decimal.Decimal, c Currency) decimal.Decimal {
	// decimal.Round rounds half away from zero.
	return d.Round(c.MinorUnits())
}

// Format prints d with exactly the currency's number of decimals, as JSON and
// reports carry money (§5, §10): "3.87", "-4.00", "1235".
func Format(d decimal.Decimal, c Currency) string {
	return d.StringFixed(c.MinorUnits())
}

// Grouped is a formatted amount with thousands separators, as a document
// shows it: 1234567.50 → 1,234,567.50.
func Grouped(formatted string) string {
	sign := ""
	if strings.HasPrefix(formatted, "-") {
		sign, formatted = "-", formatted[1:]
	}
	whole, frac, hasFrac := strings.Cut(formatted, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		return sign + b.String() + "." + frac
	}
	return sign + b.String()
}
