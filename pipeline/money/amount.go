package money

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Round rounds d to the currency's minor unit, half away from zero (SPEC §5):
// 3.865 USD → 3.87, −3.865 USD → −3.87, 1234.5 JPY → 1235, 1.2345 KWD → 1.235.
func Round(d decimal.Decimal, c Currency) decimal.Decimal {
	// decimal.Round rounds half away from zero.
	return d.Round(c.MinorUnits())
}

// Amount is an exact sum of money in one currency.
type Amount struct {
	Value    decimal.Decimal
	Currency Currency
}

// New returns the amount rounded to the currency's minor unit.
func New(value decimal.Decimal, c Currency) Amount {
	return Amount{Value: Round(value, c), Currency: c}
}

// Zero is no money in currency c.
func Zero(c Currency) Amount {
	return Amount{Value: decimal.Zero, Currency: c}
}

// Add returns a + b. Adding different currencies is a programming error.
func (a Amount) Add(b Amount) Amount {
	if a.Currency != b.Currency {
		panic(fmt.Sprintf("money: adding %s to %s", b.Currency, a.Currency))
	}
	return Amount{Value: a.Value.Add(b.Value), Currency: a.Currency}
}

// Neg returns −a.
func (a Amount) Neg() Amount {
	return Amount{Value: a.Value.Neg(), Currency: a.Currency}
}

// String formats the amount with exactly the currency's decimals: "3.87 USD", "1235 JPY".
func (a Amount) String() string {
	return Format(a.Value, a.Currency) + " " + string(a.Currency)
}

// Format prints d with exactly the currency's number of decimals, as JSON and
// reports carry money (SPEC §5, §10): "3.87", "-4.00", "1235".
func Format(d decimal.Decimal, c Currency) string {
	return d.StringFixed(c.MinorUnits())
}
