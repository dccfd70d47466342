package money_test

import (
	"errors"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/money"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestRoundHalfAwayFromZeroToTheMinorUnit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		value    string
		currency money.Currency
		want     string
	}{
		{"3.8666666", "USD", "3.87"},
		{"3.865", "USD", "3.87"},
		{"-3.865", "USD", "-3.87"},
		{"3.864999", "USD", "3.86"},
		{"0.005", "EUR", "0.01"},
		{"-0.005", "EUR", "-0.01"},
		{"1234.5", "JPY", "1235"},
		{"-1234.5", "JPY", "-1235"},
		{"1234.49", "JPY", "1234"},
		{"1.2345", "KWD", "1.235"},
		{"-1.2345", "KWD", "-1.235"},
		{"0.0005", "BHD", "0.001"},
		{"99.5", "KRW", "100"},
	} {
		got := money.Format(money.Round(dec(tc.value), tc.currency), tc.currency)
		if got != tc.want {
			t.Errorf("round(%s %s) = %s, want %s", tc.value, tc.currency, got, tc.want)
		}
	}
}

func TestMinorUnits(t *testing.T) {
	t.Parallel()
	for c, want := range map[money.Currency]int32{"USD": 2, "EUR": 2, "GBP": 2, "JPY": 0, "KRW": 0, "KWD": 3, "BHD": 3, "CLF": 4} {
		if got := c.MinorUnits(); got != want {
			t.Errorf("%s has %d decimals, want %d", c, got, want)
		}
	}
	if n := len(money.Currencies()); n < 150 {
		t.Errorf("only %d currencies known", n)
	}
}

func TestUnknownCurrencyIsAnError(t *testing.T) {
	t.Parallel()
	for _, code := range []string{"XYZ", "usd", "", "US", "XAU", "XTS"} {
		if _, err := money.ParseCurrency(code); !errors.Is(err, money.ErrUnknownCurrency) {
			t.Errorf("ParseCurrency(%q) = %v, want ErrUnknownCurrency", code, err)
		}
	}
}

func TestParseDecimalIsStrict(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"0", "4.00", "0.000123456789", "123456789012345", "3.87", "1234.12345678901", "1.500000000000"} {
		if d, err := money.ParseDecimal(ok, false); err != nil || d.String() != dec(ok).String() {
			t.Errorf("ParseDecimal(%q) = %v, %v", ok, d, err)
		}
	}
	if d, err := money.ParseDecimal("-3.87", true); err != nil || d.String() != "-3.87" {
		t.Errorf("signed -3.87: %v %v", d, err)
	}
	for in, want := range map[string]error{
		"-1": money.ErrNegative, "NaN": money.ErrNotDecimal, "Inf": money.ErrNotDecimal, "-Inf": money.ErrNotDecimal,
		"1e5": money.ErrNotDecimal, "1e2000000000": money.ErrNotDecimal, "1,5": money.ErrNotDecimal,
		"1.234,56": money.ErrNotDecimal, "1 000": money.ErrNotDecimal, "+1": money.ErrNotDecimal, ".5": money.ErrNotDecimal,
		"5.": money.ErrNotDecimal, "": money.ErrNotDecimal, " 1": money.ErrNotDecimal, "0x10": money.ErrNotDecimal,
		"1.2.3": money.ErrNotDecimal, "١٢": money.ErrNotDecimal,
		"1234567890123456": money.ErrTooLong, "1.0000000000001": money.ErrTooLong,
		"1234.123456789012": money.ErrTooPrecise, "123456789.1234567": money.ErrTooPrecise,
	} {
		if _, err := money.ParseDecimal(in, false); !errors.Is(err, want) {
			t.Errorf("ParseDecimal(%q) = %v, want %v", in, err, want)
		}
	}
}

// Rounding an already rounded amount changes nothing.
func FuzzRoundingTwiceEqualsRoundingOnce(f *testing.F) {
	f.Add("3.8666", uint8(0))
	f.Add("-1234.5", uint8(1))
	f.Add("0.0005", uint8(2))
	currencies := []money.Currency{"USD", "JPY", "KWD", "CLF"}
	f.Fuzz(func(t *testing.T, s string, pick uint8) {
		d, err := money.ParseDecimal(s, true)
		if err != nil {
			return
		}
		c := currencies[int(pick)%len(currencies)]
		once := money.Round(d, c)
		if twice := money.Round(once, c); !twice.Equal(once) {
			t.Fatalf("round(round(%s)) = %s, round once = %s (%s)", s, twice, once, c)
		}
		if diff := d.Sub(once).Abs(); diff.GreaterThan(decimal.New(5, -c.MinorUnits()-1)) {
			t.Fatalf("round(%s %s) = %s is more than half a minor unit away", s, c, once)
		}
	})
}

func FuzzParseDecimalNeverAcceptsWhatItCannotRoundTrip(f *testing.F) {
	for _, s := range []string{"1", "1.5", "1e5", "NaN", "-0.0", "00.10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := money.ParseDecimal(s, true)
		if err != nil {
			return
		}
		if !d.Equal(dec(s)) {
			t.Fatalf("%q parsed as %s", s, d)
		}
		for _, r := range s {
			if (r < '0' || r > '9') && r != '.' && r != '-' {
				t.Fatalf("%q accepted with %q", s, r)
			}
		}
	})
}

func TestSignificantDigits(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{"0": 0, "-0.00120": 2, "1200": 4, "1234.123456789012": 16, "1.50": 2, "007.0": 1} {
		if got := money.SignificantDigits(in); got != want {
			t.Errorf("SignificantDigits(%q) = %d, want %d", in, got, want)
		}
	}
}
