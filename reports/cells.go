// Package reports writes the spreadsheets of an invoice (SPEC §8): the
// reconciliation file finance checks it with and the invoice document the
// account holder receives. Both are streamed, so memory does not grow with
// the number of lines, and both render the same invoice to the same bytes.
package reports

import (
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/openbilling/billing/internal/xlsxstream"
)

// Limits of a sheet (SPEC §5, §8).
const (
	MaxCellText  = xlsxstream.MaxCellText
	MaxSheetRows = xlsxstream.MaxSheetRows
)

// ErrNumberTooLong is returned for an amount a spreadsheet number cannot
// hold exactly (SPEC §5: more than 15 significant digits).
var ErrNumberTooLong = xlsxstream.ErrNumberTooLong

// styles are the cell styles of a workbook.
type styles struct {
	header, date, money, price, bold, boldMoney int
}

// newStyles adds a workbook's cell styles, money showing the currency's
// places decimals.
func newStyles(f *excelize.File, places int) (styles, error) {
	var s styles
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
