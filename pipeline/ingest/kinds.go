package ingest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/country"
	"github.com/openbilling/billing/locale"
	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/store"
)

// Kind describes one importable CSV file (§10): its columns, how each
// value is checked on its own, and the references that must already exist
// in the database. Where its records land (the table, its key, the
// staging types) is the store's (store.ImportTableOf).
type Kind struct {
	Name    string   // as given on the command line: "usage"
	Columns []Column // in the table's order; the file may order them freely
	Refs    []Ref    // in the order of the store's table's references
	// CheckRow checks rules that span columns; it returns the column at fault.
	CheckRow func(row Row) (column string, err error)
	// StagedRules check what a row means together with what is stored,
	// once the file is staged and its references found.
	StagedRules []StagedRule
	// Activity is the column dating a record's activity (a date, or an
	// instant whose UTC date counts), for kinds billed by window: an import
	// records the span of its records' dates, so that counting late records
	// reads only the imports a closed window did not see (§7).
	Activity string
}

// StagedRule is a rule the store checks over the staged rows; a line that
// breaks it is reported at Column with Reason.
type StagedRule struct {
	Column, Reason string
	Rule           store.ImportRule
}

// Column is one column of a kind.
type Column struct {
	Name     string
	Required bool
	Check    func(value string) error
}

// Ref is a reference from a column to a record that must exist at import
// time: What names the record in the error.
type Ref struct {
	Column, What string
}

// Row gives a row's values by column name; absent optional columns read "".
type Row func(column string) string

// Kinds lists every importable kind, in the order a first load needs them.
var Kinds = []*Kind{accounts, customers, products, prices, taxRates, lateFees, orders, usage}

// KindNamed returns the kind with the given command-line name.
func KindNamed(name string) (*Kind, error) {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		if k.Name == name {
			return k, nil
		}
		names[i] = k.Name
	}
	return nil, fmt.Errorf("unknown import kind %q (one of: %s)", name, strings.Join(names, ", "))
}

var accounts = &Kind{
	Name: "accounts",
	Columns: []Column{
		{Name: "account_id", Required: true, Check: checkID},
		{Name: "name", Required: true, Check: checkName},
		{Name: "country", Required: true, Check: checkCountry},
		{Name: "currency", Required: true, Check: checkCurrency},
		{Name: "billing_day", Required: true, Check: checkBillingDay},
		{Name: "email", Check: checkEmail},
		{Name: "payment_terms_days", Check: checkWhole("payment terms", 0, 120)},
		{Name: "locale", Check: checkOneOf(locale.Supported...)},
	},
}

var customers = &Kind{
	Name: "customers",
	Columns: []Column{
		{Name: "customer_id", Required: true, Check: checkID},
		{Name: "account_id", Required: true, Check: checkID},
		{Name: "name", Required: true, Check: checkName},
		{Name: "country", Required: true, Check: checkCountry},
		{Name: "currency", Required: true, Check: checkCurrency},
	},
	Refs: []Ref{{Column: "account_id", What: "account"}},
}

var products = &Kind{
	Name: "products",
	Columns: []Column{
		{Name: "sku", Required: true, Check: checkID},
		{Name: "name", Required: true, Check: checkName},
		{Name: "kind", Required: true, Check: checkOneOf("license", "usage", "onetime")},
		{Name: "billing", Required: true, Check: checkOneOf("anniversary", "calendar")},
	},
}

var prices = &Kind{
	Name: "prices",
	Columns: []Column{
		{Name: "sku", Required: true, Check: checkID},
		{Name: "currency", Required: true, Check: checkCurrency},
		{Name: "from_quantity", Check: checkQuantity},
		{Name: "effective_from", Check: checkDate},
		{Name: "unit_price", Required: true, Check: checkQuantity},
	},
	Refs: []Ref{{Column: "sku", What: "product"}},
}

var taxRates = &Kind{
	Name: "tax-rates",
	Columns: []Column{
		{Name: "country", Required: true, Check: checkCountry},
		{Name: "effective_from", Check: checkDate},
		{Name: "rate", Required: true, Check: checkRate},
	},
}

// lateFees are the late-fee policies of §13, per currency and date from
// which each applies.
var lateFees = &Kind{
	Name: "late-fees",
	Columns: []Column{
		{Name: "currency", Required: true, Check: checkCurrency},
		{Name: "after_days", Required: true, Check: checkWhole("after_days", 0, 365)},
		{Name: "fixed", Check: checkQuantity},
		{Name: "rate", Check: checkRate},
		{Name: "minimum", Check: checkQuantity},
		{Name: "maximum", Check: checkQuantity},
		{Name: "effective_from", Check: checkDate},
	},
	CheckRow: checkLateFee,
}

var orders = &Kind{
	Name: "orders", Activity: "effective_date",
	Columns: []Column{
		{Name: "order_id", Required: true, Check: checkID},
		{Name: "subscription_id", Required: true, Check: checkID},
		{Name: "customer_id", Required: true, Check: checkID},
		{Name: "sku", Required: true, Check: checkID},
		{Name: "action", Required: true, Check: checkOneOf("new", "addQuantity", "removeQuantity", "cancel")},
		{Name: "quantity", Required: true, Check: checkSeats},
		{Name: "effective_date", Required: true, Check: checkDate},
	},
	Refs: []Ref{
		{Column: "customer_id", What: "customer"},
		{Column: "sku", What: "product"},
	},
	CheckRow: checkOrder,
	StagedRules: []StagedRule{{
		Column: "quantity",
		Reason: "a new licence order needs at least 1 seat (it would bill 0.00 every month)",
		Rule:   store.NewLicenceWithoutSeats,
	}},
}

var usage = &Kind{
	Name: "usage", Activity: "occurred_at",
	Columns: []Column{
		{Name: "event_id", Required: true, Check: checkID},
		{Name: "subscription_id", Required: true, Check: checkID},
		{Name: "quantity", Required: true, Check: checkQuantity},
		{Name: "occurred_at", Required: true, Check: checkInstant},
	},
}

// MaxIDLength is the most characters of an identifier (§10).
const MaxIDLength = 200

// checkID accepts at most 200 characters of printable text (§10).
func checkID(v string) error {
	if strings.TrimSpace(v) != v {
		return errors.New("has leading or trailing spaces")
	}
	if n := utf8.RuneCountInString(v); n > MaxIDLength {
		return fmt.Errorf("is %d characters long; an identifier has at most %d", n, MaxIDLength)
	}
	for _, r := range v {
		if r < ' ' || r == 0x7f {
			return errors.New("contains a control character")
		}
		if r != ' ' && !unicode.IsPrint(r) {
			return fmt.Errorf("contains the character %U, which is not printable text", r)
		}
	}
	return nil
}

// checkName accepts any text a spreadsheet cell can hold as written
// (§8): XML 1.0, in which the invoice files are written, cannot carry control
// characters other than tab and line breaks, nor U+FFFE and U+FFFF.
func checkName(v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("is blank")
	}
	for _, r := range v {
		if (r < ' ' && r != '\t' && r != '\n' && r != '\r') || r == 0xFFFE || r == 0xFFFF {
			return fmt.Errorf("contains the character %U, which a spreadsheet cannot hold", r)
		}
	}
	return nil
}

func checkCountry(v string) error {
	if !country.Known(v) {
		return fmt.Errorf("%s is not an ISO 3166-1 alpha-2 country code", quote(v))
	}
	return nil
}

func checkCurrency(v string) error {
	_, err := money.ParseCurrency(v)
	if err != nil {
		return fmt.Errorf("%s is not an ISO 4217 currency code", quote(v))
	}
	return nil
}

func checkBillingDay(v string) error {
	if len(v) < 1 || len(v) > 2 || strings.Trim(v, "0123456789") != "" {
		return fmt.Errorf("%s is not a whole number from 1 to 31", quote(v))
	}
	day := 0
	for _, c := range v {
		day = day*10 + int(c-'0')
	}
	if day < 1 || day > 31 {
		return fmt.Errorf("billing day %s is outside 1..31", v)
	}
	return nil
}

func checkEmail(v string) error {
	at := strings.IndexByte(v, '@')
	if at <= 0 || at != strings.LastIndexByte(v, '@') || at == len(v)-1 || strings.ContainsAny(v, " \t<>,;") {
		return fmt.Errorf("%s is not an e-mail address", quote(v))
	}
	return nil
}

func checkOneOf(allowed ...string) func(string) error {
	return func(v string) error {
		for _, a := range allowed {
			if v == a {
				return nil
			}
		}
		return fmt.Errorf("%s is not one of %s", quote(v), strings.Join(allowed, ", "))
	}
}

// checkQuantity accepts a non-negative plain decimal (§10: decimal
// strings, never rounded on the way in).
func checkQuantity(v string) error {
	if err := money.CheckDecimal(v, false); err != nil {
		return fmt.Errorf("%s: %w", quote(v), err)
	}
	return nil
}

// checkSeats accepts a whole, non-negative number of seats or units.
func checkSeats(v string) error {
	if err := checkQuantity(v); err != nil {
		return err
	}
	if i := strings.IndexByte(v, '.'); i >= 0 && strings.Trim(v[i+1:], "0") != "" {
		return fmt.Errorf("%s is not a whole number of seats", quote(v))
	}
	return nil
}

var decimalOne = decimal.NewFromInt(1)

func checkRate(v string) error {
	d, err := money.ParseDecimal(v, false)
	if err != nil {
		return fmt.Errorf("%s: %w", quote(v), err)
	}
	if d.GreaterThan(decimalOne) {
		return fmt.Errorf("rate %s is above 1 (write 0.10 for 10%%)", v)
	}
	return nil
}

// The dates the product bills (§10): a date or instant outside them is
// a mistake in the file, never decades of back-billing.
const (
	FirstYear = 2000
	LastYear  = 2099
)

func checkDate(v string) error {
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return fmt.Errorf("%s is not a valid date YYYY-MM-DD", quote(v))
	}
	return checkYear(d)
}

func checkYear(t time.Time) error {
	if y := t.UTC().Year(); y < FirstYear || y > LastYear {
		return fmt.Errorf("%s is outside the dates billed (%d-01-01 to %d-12-31)", t.UTC().Format(time.DateOnly), FirstYear, LastYear)
	}
	return nil
}

// checkInstant accepts an RFC 3339 instant with a zone: "2024-06-11T09:30:00Z"
// or "2024-06-11T11:30:00+02:00". Without a zone the UTC date is unknowable;
// digits finer than a microsecond, which the database would round (perhaps
// into the next day), are refused, as is an offset no time zone has.
func checkInstant(v string) error {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		if _, errLocal := time.Parse("2006-01-02T15:04:05.999999999", v); errLocal == nil {
			return fmt.Errorf("%s has no time zone (add Z or an offset such as +02:00)", quote(v))
		}
		return fmt.Errorf("%s is not an RFC 3339 instant such as 2024-06-11T09:30:00Z", quote(v))
	}
	if t.Nanosecond()%1000 != 0 {
		return fmt.Errorf("%s has digits finer than a microsecond (at most 6 after the seconds)", quote(v))
	}
	if _, offset := t.Zone(); offset < -12*3600 || offset > 14*3600 {
		return fmt.Errorf("%s has the offset %s; time zones lie between -12:00 and +14:00", quote(v), t.Format("-07:00"))
	}
	return checkYear(t)
}

// quote quotes a value for an error message, cut to 60 characters: an error
// names what is wrong, it does not echo a megabyte of it back.
func quote(v string) string {
	const most = 60
	if utf8.RuneCountInString(v) <= most {
		return strconv.Quote(v)
	}
	return strconv.Quote(string([]rune(v)[:most])) + fmt.Sprintf("… (%d characters)", utf8.RuneCountInString(v))
}

// checkWhole accepts a whole number from least to most.
func checkWhole(what string, least, most int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || strings.TrimLeft(v, "+-") != v {
			return fmt.Errorf("%s is not a whole number from %d to %d", quote(v), least, most)
		}
		if n < least || n > most {
			return fmt.Errorf("%s %d is outside %d..%d", what, n, least, most)
		}
		return nil
	}
}

// checkLateFee applies the rules of a late-fee policy that span columns:
// its amounts are whole minor units of its currency, and its minimum is no
// more than its maximum (§13).
func checkLateFee(row Row) (string, error) {
	c := money.Currency(row("currency"))
	for _, col := range []string{"fixed", "minimum", "maximum"} {
		v := row(col)
		if v == "" {
			continue
		}
		d := decimal.RequireFromString(v) // checked on its own already
		if !money.Round(d, c).Equal(d) {
			return col, fmt.Errorf("%s is finer than %s's minor unit", v, c)
		}
	}
	if min, max := row("minimum"), row("maximum"); min != "" && max != "" &&
		decimal.RequireFromString(min).GreaterThan(decimal.RequireFromString(max)) {
		return "minimum", fmt.Errorf("the minimum %s is above the maximum %s", min, max)
	}
	return "", nil
}

// checkOrder applies the order rules of §4 that span columns.
func checkOrder(row Row) (string, error) {
	zero := strings.Trim(strings.ReplaceAll(row("quantity"), ".", ""), "0") == ""
	switch action := row("action"); {
	case action == "removeQuantity" && zero:
		return "quantity", errors.New("removeQuantity to 0 is not allowed (use a cancel order)")
	case action == "cancel" && !zero:
		return "quantity", fmt.Errorf("a cancel order leaves quantity 0, not %s", row("quantity"))
	case action == "addQuantity" && zero:
		return "quantity", errors.New("addQuantity to 0 is not allowed (use a cancel order)")
	}
	return "", nil
}

// activityDate is the UTC date of an activity value already checked: a
// date, or an RFC 3339 instant.
func activityDate(v string) string {
	if len(v) == len(time.DateOnly) || strings.HasSuffix(v, "Z") {
		return v[:len(time.DateOnly)]
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return v[:len(time.DateOnly)] // unreachable: the value was checked
	}
	return t.UTC().Format(time.DateOnly)
}
