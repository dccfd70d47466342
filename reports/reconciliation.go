package reports

import (
	"fmt"
	"io"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/internal/xlsxstream"
	"github.com/openbilling/billing/invoicing"
	"github.com/openbilling/billing/locale"
)

// Invoice is a finalized invoice's header as the documents show it.
type Invoice = invoicing.Issued

// Line is one invoice line with the names a reader needs.
type Line = invoicing.IssuedLine

// Lines streams an invoice's lines, in invoice order, to yield.
type Lines func(yield func(*Line) error) error

// Options tune the writers; the zero value is Excel's own limits.
type Options struct {
	MaxSheetRows int // rows per sheet, header included; 0 means MaxSheetRows
}

func (o Options) maxRows() int {
	if o.MaxSheetRows > 0 {
		return o.MaxSheetRows
	}
	return MaxSheetRows
}

// LineItemColumns are the columns of the Line items sheets: §8's, in
// its order, then those that let a line be checked by hand.
var LineItemColumns = []string{
	"AccountId", "AccountName", "CustomerId", "CustomerName", "CustomerCountry", "InvoiceNumber", "OrderId",
	"SubscriptionId", "Sku", "ProductName", "ChargeType", "ChargeStartDate", "ChargeEndDate", "UnitPrice",
	"EffectiveUnitPrice", "Quantity", "Subtotal", "TaxTotal", "Total", "Currency",
	"ActivityDate", "DaysCharged", "DaysInTerm", "TierBreakdown", "Reversal",
}

// lineItemWidths fit each column's header with its filter button, and its
// usual contents.
var lineItemWidths = []float64{12, 24, 14, 28, 18, 18, 14, 17, 14, 28, 16, 18, 16, 13, 21, 11, 14, 12, 14, 11, 15, 14, 13, 60, 11}

// customerTotal is one customer's sums, for the Summary sheet.
type customerTotal struct {
	id, name, country    string
	subtotal, tax, total decimal.Decimal
}

// lineSheets is how many sheets an invoice's lines take: one row per line
// below a header row on each.
func lineSheets(lines int, opts Options) int {
	per := opts.maxRows() - 1
	return max(1, (lines+per-1)/per)
}

// openWorkbook starts an invoice's workbook of one kind, from the template
// of that kind for the invoice's currency decimals and the number of sheets
// its lines take (returned), with the styles its cells use. Its parts are
// dated the invoice's issue date, and its printed pages' footer names title.
func openWorkbook(w io.Writer, kind string, layout func(p *locale.Printer, sheets int) []sheetLayout, inv Invoice, p *locale.Printer, title string, opts Options) (*xlsxstream.Workbook, styles, int, error) {
	sheets := lineSheets(inv.LineCount, opts)
	places := int(inv.Currency.MinorUnits())
	tpl, err := templateFor(fmt.Sprintf("%s/%s/%d/%d", kind, p.Locale, places, sheets), places, p, func() []sheetLayout { return layout(p, sheets) })
	if err != nil {
		return nil, styles{}, 0, err
	}
	b, err := xlsxstream.NewWorkbook(w, tpl.Template, inv.IssueDate.Time(), footerText(title))
	return b, tpl.styles, sheets, err
}

func lineSheetName(base string, k int) string {
	if k == 1 {
		return base
	}
	return fmt.Sprintf("%s (%d)", base, k)
}

// reconciliationLayout is the reconciliation's sheets, which keep the names
// §8 gives them in every language, as its Line items columns do: finance's
// tools read them by name.
func reconciliationLayout(_ *locale.Printer, sheets int) []sheetLayout {
	layout := []sheetLayout{{name: "Summary", widths: []float64{18, 28, 18, 16, 16, 16}}}
	for k := 1; k <= sheets; k++ {
		layout = append(layout, sheetLayout{name: lineSheetName("Line items", k), widths: lineItemWidths, freeze: true, table: LineItemColumns, tableN: k})
	}
	return append(layout, sheetLayout{name: "Control", widths: []float64{14, 16, 16, 16}})
}

// WriteReconciliation writes the reconciliation workbook of an invoice
// (§8): Summary, Line items (continued on Line items (2), ... past
// Excel's row limit) and Control. Its labels are in the invoice's language;
// its sheet and column names and its codes (type, billing, charge) are
// those of §8 in every language.
func WriteReconciliation(w io.Writer, inv Invoice, lines Lines, opts Options) error {
	p := locale.For(inv.Locale)
	title := p.T("Reconciliation") + " " + inv.Number
	b, st, sheets, err := openWorkbook(w, "reconciliation", reconciliationLayout, inv, p, title, opts)
	if err != nil {
		return err
	}
	sums := &lineSums{subtotal: decimal.Zero, tax: decimal.Zero, total: decimal.Zero, customers: map[string]*customerTotal{}}
	header := func(s *xlsxstream.Sheet) error { return writeHeader(s, st, nil, LineItemColumns) }
	ended := func(k, rows int) error { return b.Table(k, len(LineItemColumns), rows) }
	err = writeLineSheets(b, 1, sheets, len(LineItemColumns), opts, inv, lines, header, ended, func(s *xlsxstream.Sheet, l *Line) error {
		if err := lineRow(s, st, inv, l); err != nil {
			return fmt.Errorf("line %d of invoice %s: %w", sums.lines+1, inv.Number, err)
		}
		sums.add(l)
		return nil
	})
	if err != nil {
		return err
	}
	if err := writeSheet(b, 0, summaryRows(st, p, inv, sums)); err != nil {
		return err
	}
	if err := writeSheet(b, sheets+1, controlRows(st, p, inv, sums)); err != nil {
		return err
	}
	return b.Close(title, inv.IssueDate.Time())
}

type lineSums struct {
	lines                int
	subtotal, tax, total decimal.Decimal
	customers            map[string]*customerTotal
}

func (s *lineSums) add(l *Line) {
	s.lines++
	s.subtotal, s.tax, s.total = s.subtotal.Add(l.Amount), s.tax.Add(l.Tax), s.total.Add(l.Total)
	c, ok := s.customers[l.CustomerID]
	if !ok {
		c = &customerTotal{id: l.CustomerID, name: l.CustomerName, country: l.CustomerCountry, subtotal: decimal.Zero, tax: decimal.Zero, total: decimal.Zero}
		s.customers[l.CustomerID] = c
	}
	c.subtotal, c.tax, c.total = c.subtotal.Add(l.Amount), c.tax.Add(l.Tax), c.total.Add(l.Total)
}

// writeLineSheets streams an invoice's lines into the sheets first..first+n-1
// of its workbook, each with a header row and at most the row limit: the
// sheet count comes from the invoice's line count, so lines past it are an
// error, and sheets it leaves empty keep their header. ended is told each
// sheet's number (from 0) and its rows below the header. Each sheet
// declares cols columns and the rows the line count gives it.
func writeLineSheets(b *xlsxstream.Workbook, first, n, cols int, opts Options, inv Invoice, lines Lines,
	header func(*xlsxstream.Sheet) error, ended func(k, rows int) error, row func(*xlsxstream.Sheet, *Line) error) error {
	per := opts.maxRows() - 1
	sheet := func(k int) (*xlsxstream.Sheet, error) {
		return b.Sheet(first+k, cols, 1+min(per, max(0, inv.LineCount-k*per)))
	}
	k, rows := 0, 0
	s, err := sheet(0)
	if err == nil {
		err = header(s)
	}
	if err != nil {
		return err
	}
	end := func() error {
		if err := b.EndSheet(first+k, s); err != nil {
			return err
		}
		return ended(k, rows)
	}
	err = lines(func(l *Line) error {
		if rows == per {
			if k+1 == n {
				return fmt.Errorf("invoice %s has more lines than the %d it records", inv.Number, inv.LineCount)
			}
			if err := end(); err != nil {
				return err
			}
			k, rows = k+1, 0
			var err error
			if s, err = sheet(k); err != nil {
				return err
			}
			if err := header(s); err != nil {
				return err
			}
		}
		rows++
		if err := row(s, l); err != nil {
			return err
		}
		return s.Err()
	})
	if err != nil {
		return err
	}
	if err := end(); err != nil {
		return err
	}
	for k++; k < n; k++ {
		rows = 0
		if s, err = sheet(k); err != nil {
			return err
		}
		if err := header(s); err != nil {
			return err
		}
		if err := end(); err != nil {
			return err
		}
	}
	return nil
}

// writeSheet writes a small sheet whole.
func writeSheet(b *xlsxstream.Workbook, i int, rows [][]cellFn) error {
	s, err := b.Sheet(i, width(rows), len(rows))
	if err != nil {
		return err
	}
	if err := writeRows(s, rows); err != nil {
		return err
	}
	return b.EndSheet(i, s)
}

func lineRow(s *xlsxstream.Sheet, st styles, inv Invoice, l *Line) error {
	s.StartRow()
	if err := s.Texts(inv.AccountID, inv.AccountName, l.CustomerID, l.CustomerName, l.CustomerCountry,
		inv.Number, l.OrderID, l.SubscriptionID, l.SKU, l.ProductName, string(l.ChargeType)); err != nil {
		return err
	}
	s.Date(st.date, l.ChargeStart)
	s.Date(st.date, l.ChargeEnd)
	if err := s.Numbers(styled(l.UnitPrice, st.priceStyle(l.UnitPrice)), styled(l.EffectiveUnitPrice, st.priceStyle(l.EffectiveUnitPrice)), styled(l.Quantity, 0),
		styled(l.Amount, st.money), styled(l.Tax, st.money), styled(l.Total, st.money)); err != nil {
		return err
	}
	if err := s.Text(0, string(inv.Currency)); err != nil {
		return err
	}
	s.Date(st.date, l.ActivityDate)
	s.Integer(0, l.DaysCharged, true)
	s.Integer(0, l.TermDays, true)
	reversal := "no"
	if l.Reversal {
		reversal = "yes"
	}
	if err := s.Texts(l.Detail, reversal); err != nil {
		return err
	}
	s.EndRow()
	return nil
}

// dueDay is the cell of an invoice's due date: blank for one without (§13).
func dueDay(st styles, inv Invoice) cellFn {
	if inv.DueDate == nil {
		return blank
	}
	return day(st.date, *inv.DueDate)
}

func summaryRows(st styles, p *locale.Printer, inv Invoice, sums *lineSums) [][]cellFn {
	label := func(name string) cellFn { return txt(st.bold, p.T(name)) }
	rows := [][]cellFn{
		{label("Invoice"), txt(0, inv.Number)},
		{label("Type"), txt(0, inv.Type)},
		{label("Billing"), txt(0, inv.Billing)},
		{label("Account"), txt(0, inv.AccountID)},
		{label("Account name"), txt(0, inv.AccountName)},
		{label("Window start"), day(st.date, inv.WindowStart)},
		{label("Window end"), day(st.date, inv.WindowEnd)},
		{label("Issue date"), day(st.date, inv.IssueDate)},
		{label("Currency"), txt(0, string(inv.Currency))},
		{label("Tax rate"), num(st.percent, inv.TaxRate)},
		{label("Subtotal"), num(st.money, inv.Subtotal)},
		{label("Tax"), num(st.money, inv.Tax)},
		{label("Total"), num(st.boldMoney, inv.Total)},
		{label("Adjusts"), txt(0, inv.Adjusts)},
		{label("Due date"), dueDay(st, inv)},
		{},
		headerCells(st, nil, "CustomerId", "CustomerName", "CustomerCountry", "Subtotal", "TaxTotal", "Total"),
	}
	customers := make([]*customerTotal, 0, len(sums.customers))
	for _, c := range sums.customers {
		customers = append(customers, c)
	}
	sort.Slice(customers, func(i, j int) bool { return customers[i].id < customers[j].id })
	for _, c := range customers {
		rows = append(rows, []cellFn{txt(0, c.id), txt(0, c.name), txt(0, c.country),
			num(st.money, c.subtotal), num(st.money, c.tax), num(st.money, c.total)})
	}
	return rows
}

// writeControl ties the sum of the lines to the invoice's header (§8).
func controlRows(st styles, p *locale.Printer, inv Invoice, sums *lineSums) [][]cellFn {
	rows := [][]cellFn{headerCells(st, p, "Measure", "Sum of lines", "Invoice", "Difference")}
	for _, m := range []struct {
		name          string
		lines, header decimal.Decimal
	}{
		{"Subtotal", sums.subtotal, inv.Subtotal}, {"Tax", sums.tax, inv.Tax}, {"Total", sums.total, inv.Total},
	} {
		rows = append(rows, []cellFn{txt(0, p.T(m.name)), num(st.money, m.lines), num(st.money, m.header), num(st.money, m.lines.Sub(m.header))})
	}
	rows = append(rows, []cellFn{txt(0, p.T("Lines")), count(sums.lines), count(inv.LineCount), count(sums.lines - inv.LineCount)})
	return rows
}
