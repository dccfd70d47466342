// Package reports writes the spreadsheets of an invoice (§8): the
// reconciliation file finance checks it with and the invoice document the
// account holder receives. Both are streamed, so memory does not grow with
// the number of lines, and both render the same invoice to the same bytes.
package reports

import (
	"strings"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/openbilling/billing/internal/xlsxstream"
)

// Limits of a sheet (§5, §8).
const (
	MaxCellText  = xlsxstream.MaxCellText
	MaxSheetRows = xlsxstream.MaxSheetRows
)

// ErrNumberTooLong is returned for an amount a spreadsheet number cannot
// hold exactly (§5: more than 15 significant digits).
var ErrNumberTooLong = xlsxstream.ErrNumberTooLong

// styles are the cell styles of a workbook: one typeface throughout
// (Calibri 11, the workbook's default, named on every font so no reader
// falls back to another), numbers with the currency's decimals, and
// headers aligned like the column below them.
type styles struct {
	header, headerNum, date, money, price, priceFrac, percent, bold, boldMoney int
	places                                                                     int
}

// priceStyle is the style of a price: at least the currency's decimals and
// as many more as it has. In a currency without decimals a whole price
// shows like money (1,234) and another with just its decimals (0.5).
func (s styles) priceStyle(d decimal.Decimal) int {
	if s.places == 0 && !d.IsInteger() {
		return s.priceFrac
	}
	return s.price
}

// font is the workbook's typeface, bold or not.
func font(bold bool) *excelize.Font {
	return &excelize.Font{Bold: bold, Family: "Calibri", Size: 11}
}

// newStyles adds a workbook's cell styles, money showing the currency's
// places decimals and dates as dateFmt writes them.
func newStyles(f *excelize.File, places int, dateFmt string) (styles, error) {
	s := styles{places: places}
	moneyFmt := "#,##0"
	if places > 0 {
		moneyFmt += "." + strings.Repeat("0", places)
	}
	priceFmt := moneyFmt + strings.Repeat("#", 12-places)
	if places == 0 {
		priceFmt = moneyFmt // "#,##0.###" would leave a dangling point on whole prices
	}
	fracFmt := "#,##0.0" + strings.Repeat("#", 11)
	moneyFmt = moneyFmt + ";-" + moneyFmt
	percentFmt := "0.00##%"
	var err error
	add := func(dst *int, st *excelize.Style) {
		if err == nil {
			*dst, err = f.NewStyle(st)
		}
	}
	fill := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}
	add(&s.header, &excelize.Style{Font: font(true), Fill: fill})
	add(&s.headerNum, &excelize.Style{Font: font(true), Fill: fill, Alignment: &excelize.Alignment{Horizontal: "right"}})
	add(&s.date, &excelize.Style{CustomNumFmt: &dateFmt})
	add(&s.money, &excelize.Style{CustomNumFmt: &moneyFmt})
	add(&s.price, &excelize.Style{CustomNumFmt: &priceFmt})
	add(&s.priceFrac, &excelize.Style{CustomNumFmt: &fracFmt})
	add(&s.percent, &excelize.Style{CustomNumFmt: &percentFmt})
	add(&s.bold, &excelize.Style{Font: font(true)})
	add(&s.boldMoney, &excelize.Style{Font: font(true), CustomNumFmt: &moneyFmt})
	return s, err
}

func strPtr(s string) *string { return &s }
