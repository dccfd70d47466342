package reports

import (
	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/internal/xlsxstream"
	"github.com/openbilling/billing/locale"
)

// cellFn writes one cell of a small sheet's row (the fronts, Summary and
// Control); line rows call the writer's methods directly.
type cellFn func(s *xlsxstream.Sheet) error

func txt(style int, v string) cellFn {
	return func(s *xlsxstream.Sheet) error { return s.Text(style, v) }
}

func num(style int, d decimal.Decimal) cellFn {
	return func(s *xlsxstream.Sheet) error { return s.Number(style, d) }
}

func day(style int, d calendar.Date) cellFn {
	return func(s *xlsxstream.Sheet) error { s.Date(style, d); return nil }
}

// styled is an amount with the style it shows in.
func styled(v decimal.Decimal, style int) xlsxstream.Styled {
	return xlsxstream.Styled{V: v, Style: style}
}

func count(n int) cellFn {
	return func(s *xlsxstream.Sheet) error { s.Integer(0, n, false); return nil }
}

// blank leaves a cell empty.
func blank(s *xlsxstream.Sheet) error { s.Skip(); return nil }

// headerCells is a row of column headers, in p's language (nil: the names
// as they are, for the columns §8 names).
func headerCells(st styles, p *locale.Printer, names ...string) []cellFn {
	row := make([]cellFn, len(names))
	for i, n := range names {
		text := n
		if p != nil {
			text = p.T(n)
		}
		row[i] = txt(st.headerStyle(n), text)
	}
	return row
}

// numericHeaders name the columns of numbers and dates: their headers are
// right-aligned, over the figures.
var numericHeaders = map[string]bool{
	"ChargeStartDate": true, "ChargeEndDate": true, "UnitPrice": true, "EffectiveUnitPrice": true, "Quantity": true,
	"Subtotal": true, "TaxTotal": true, "Total": true, "ActivityDate": true, "DaysCharged": true, "DaysInTerm": true,
	"Sum of lines": true, "Invoice": true, "Difference": true, "Lines": true, "Amount": true, "Tax": true,
	"Date": true, "Service from": true, "Service to": true, "Unit price": true,
}

// headerStyle is the style of a column's header.
func (s styles) headerStyle(name string) int {
	if numericHeaders[name] {
		return s.headerNum
	}
	return s.header
}

// writeHeader writes a sheet's header row.
func writeHeader(s *xlsxstream.Sheet, st styles, p *locale.Printer, names []string) error {
	return writeRows(s, [][]cellFn{headerCells(st, p, names...)})
}

// width is the most cells of any of the rows.
func width(rows [][]cellFn) int {
	n := 0
	for _, r := range rows {
		n = max(n, len(r))
	}
	return n
}

// writeRows writes whole rows; an empty row is written as an empty row.
func writeRows(s *xlsxstream.Sheet, rows [][]cellFn) error {
	for _, r := range rows {
		s.StartRow()
		for _, c := range r {
			if err := c(s); err != nil {
				return err
			}
		}
		s.EndRow()
	}
	return s.Err()
}
