package money

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Limits of the decimal strings accepted from files (§10). They keep every
// amount within the 15 significant digits a spreadsheet can hold exactly (§5)
// with room for quantities and per-unit prices with many decimals.
const (
	MaxIntegerDigits  = 15
	MaxFractionDigits = 12
)

// Errors of ParseDecimal; callers match them with errors.Is.
var (
	ErrNotDecimal = errors.New("not a plain decimal number (digits with an optional '.' and fraction; no sign, exponent, spaces or thousands separators)")
	ErrNegative   = errors.New("must not be negative")
	ErrTooLong    = fmt.Errorf("too many digits (at most %d before and %d after the decimal point)", MaxIntegerDigits, MaxFractionDigits)
	ErrTooPrecise = fmt.Errorf("has more than %d significant digits, which a spreadsheet number cannot hold exactly", MaxSignificantDigits)
)

// MaxSignificantDigits is the most significant digits of an imported number
// and of any amount written to a spreadsheet cell (§5, §10): an IEEE 754
// double holds every decimal of 15 significant digits exactly.
const MaxSignificantDigits = 15

// SignificantDigits counts the significant digits of a plain decimal string
// such as "-0.00120" (2): leading zeros and trailing zeros after the point do
// not count, the zeros of a whole number do ("1200" has 4).
func SignificantDigits(s string) int {
	s = strings.TrimPrefix(s, "-")
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	}
	return len(strings.TrimLeft(strings.Replace(s, ".", "", 1), "0"))
}

// ParseDecimal parses a decimal string strictly: ASCII digits, at most one '.'
// with digits on both sides, an optional leading '-' only when signed is true.
// It refuses exponents ("1e5"), NaN and Inf, locale forms ("1,5", "1.234,56"),
// a leading '+', blanks and over-long numbers, so a value is never guessed at or
// rounded on the way in.
func ParseDecimal(s string, signed bool) (decimal.Decimal, error) {
	if err := CheckDecimal(s, signed); err != nil {
		return decimal.Decimal{}, err
	}
	d, err := decimal.NewFromString(s)
	if err != nil { // unreachable after CheckDecimal; kept so a library change cannot slip through
		return decimal.Decimal{}, fmt.Errorf("%w: %w", ErrNotDecimal, err)
	}
	return d, nil
}

// CheckDecimal validates s with the rules of ParseDecimal without building a
// decimal.Decimal, for hot paths that pass the text on unchanged.
func CheckDecimal(s string, signed bool) error {
	body := s
	if len(body) > 0 && body[0] == '-' {
		if !signed {
			if isPlain(body[1:]) {
				return ErrNegative
			}
			return ErrNotDecimal
		}
		body = body[1:]
	}
	if !isPlain(body) {
		return ErrNotDecimal
	}
	intDigits, fracDigits := len(body), 0
	for i := 0; i < len(body); i++ {
		if body[i] == '.' {
			intDigits, fracDigits = i, len(body)-i-1
			break
		}
	}
	if intDigits > MaxIntegerDigits || fracDigits > MaxFractionDigits {
		return ErrTooLong
	}
	if SignificantDigits(body) > MaxSignificantDigits {
		return ErrTooPrecise
	}
	return nil
}

// isPlain reports whether s is digits, optionally followed by '.' and digits.
func isPlain(s string) bool {
	if s == "" {
		return false
	}
	dot := false
	digitsBefore, digitsAfter := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if dot {
				digitsAfter++
			} else {
				digitsBefore++
			}
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digitsBefore > 0 && (!dot || digitsAfter > 0)
}
