// Package reports writes the spreadsheets of an invoice (SPEC §8): the
// reconciliation file finance checks it with and the invoice document the
// account holder receives. Both are streamed, so memory does not grow with
// the number of lines, and both render the same invoice to the same bytes.
package reports

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/openbilling/billing/pipeline/calendar"
	"github.com/openbilling/billing/pipeline/money"
)

// MaxCellText is the most characters an Excel cell holds.
const MaxCellText = 32767

// MaxSheetRows is the most rows an Excel sheet holds.
const MaxSheetRows = 1_048_576

// ErrNumberTooLong is returned for an amount a spreadsheet number cannot
// hold exactly (SPEC §5: more than 15 significant digits).
var ErrNumberTooLong = errors.New("has more significant digits than a spreadsheet number holds exactly (15)")

// number converts an exact decimal into the one float64 allowed, at a
// spreadsheet cell (SPEC §5), and proves that the number's text in the file
// is exactly the decimal's digits.
func number(d decimal.Decimal) (float64, error) {
	want := d.String()
	if significantDigits(want) > 15 {
		return 0, fmt.Errorf("amount %s %w", want, ErrNumberTooLong)
	}
	f, _ := d.Float64()
	if got := strconv.FormatFloat(f, 'f', -1, 64); got != want {
		return 0, fmt.Errorf("amount %s would be written as %s: %w", want, got, ErrNumberTooLong)
	}
	return f, nil
}

func significantDigits(s string) int {
	s = strings.TrimLeft(strings.Replace(strings.TrimPrefix(s, "-"), ".", "", 1), "0")
	return len(s)
}

// text checks a text cell: written as text, never as a formula (the stream
// writer stores strings as inline strings), and never cut.
func text(s string) (string, error) {
	if n := utf8.RuneCountInString(s); n > MaxCellText {
		return "", fmt.Errorf("text of %d characters is longer than a spreadsheet cell holds (%d)", n, MaxCellText)
	}
	return s, nil
}

// excelDate is a calendar date as Excel stores it.
func excelDate(d calendar.Date) time.Time { return d.Time() }

// styles are the cell styles of a workbook.
type styles struct {
	header, date, money, price, bold, boldMoney int
}

func newStyles(f *excelize.File, c money.Currency) (styles, error) {
	var s styles
	places := int(c.MinorUnits())
	moneyFmt := "#,##0"
	if places > 0 {
		moneyFmt += "." + strings.Repeat("0", places)
	}
	// Prices show at least the currency's decimals and as many more as they
	// have; a currency without decimals shows prices as written (General),
	// since "#,##0.###" would leave a dangling point on whole prices.
	priceFmt := moneyFmt + strings.Repeat("#", 12-places)
	moneyFmt = moneyFmt + ";-" + moneyFmt
	var err error
	add := func(dst *int, st *excelize.Style) {
		if err == nil {
			*dst, err = f.NewStyle(st)
		}
	}
	add(&s.header, &excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	add(&s.date, &excelize.Style{CustomNumFmt: strPtr("yyyy-mm-dd")})
	add(&s.money, &excelize.Style{CustomNumFmt: &moneyFmt})
	if places == 0 {
		add(&s.price, &excelize.Style{NumFmt: 0})
	} else {
		add(&s.price, &excelize.Style{CustomNumFmt: &priceFmt})
	}
	add(&s.bold, &excelize.Style{Font: &excelize.Font{Bold: true}})
	add(&s.boldMoney, &excelize.Style{Font: &excelize.Font{Bold: true}, CustomNumFmt: &moneyFmt})
	return s, err
}

func strPtr(s string) *string { return &s }

// fixedProperties gives a workbook document properties that depend only on
// the invoice, so the same invoice renders to the same bytes (SPEC §6).
func fixedProperties(f *excelize.File, title string, issued calendar.Date) error {
	stamp := issued.Time().Format(time.RFC3339)
	return f.SetDocProps(&excelize.DocProperties{
		Title: title, Creator: "billing", LastModifiedBy: "billing", Created: stamp, Modified: stamp, Language: "en-US",
	})
}

// cell builds a styled cell.
func cell(style int, v any) excelize.Cell { return excelize.Cell{StyleID: style, Value: v} }
