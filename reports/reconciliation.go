package reports

import (
	"fmt"
	"io"
	"sort"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/openbilling/billing/pipeline/calendar"
	"github.com/openbilling/billing/pipeline/money"
)

// Invoice is what the spreadsheets show of an invoice's header.
type Invoice struct {
	Number      string
	Type        string
	Billing     string
	AccountID   string
	AccountName string
	Currency    money.Currency
	WindowStart calendar.Date
	WindowEnd   calendar.Date
	IssueDate   calendar.Date
	TaxRate     decimal.Decimal
	Subtotal    decimal.Decimal
	Tax         decimal.Decimal
	Total       decimal.Decimal
	Adjusts     string
	Lines       int
}

// Line is one invoice line with the names a reader needs.
type Line struct {
	CustomerID, CustomerName, CustomerCountry string
	OrderID, SubscriptionID                   string
	SKU, ProductName, ChargeType              string
	ChargeStart, ChargeEnd, ActivityDate      calendar.Date
	UnitPrice, EffectiveUnitPrice, Quantity   decimal.Decimal
	Amount, Tax, Total                        decimal.Decimal
	DaysCharged, TermDays                     int
	Detail                                    string
	Reversal                                  bool
}

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

// LineItemColumns are the columns of the Line items sheets: SPEC §8's, in
// its order, then those that let a line be checked by hand.
var LineItemColumns = []string{
	"AccountId", "AccountName", "CustomerId", "CustomerName", "CustomerCountry", "InvoiceNumber", "OrderId",
	"SubscriptionId", "Sku", "ProductName", "ChargeType", "ChargeStartDate", "ChargeEndDate", "UnitPrice",
	"EffectiveUnitPrice", "Quantity", "Subtotal", "TaxTotal", "Total", "Currency",
	"ActivityDate", "DaysCharged", "DaysInTerm", "TierBreakdown", "Reversal",
}

var lineItemWidths = []float64{12, 24, 14, 28, 10, 18, 14, 16, 14, 28, 16, 14, 14, 12, 14, 10, 14, 12, 14, 9, 13, 12, 11, 48, 9}

// customerTotal is one customer's sums, for the Summary sheet.
type customerTotal struct {
	id, name, country    string
	subtotal, tax, total decimal.Decimal
}

// WriteReconciliation writes the reconciliation workbook of an invoice
// (SPEC §8): Summary, Line items (continued on Line items (2), ... past
// Excel's row limit) and Control.
func WriteReconciliation(w io.Writer, inv Invoice, lines Lines, opts Options) error {
	f := excelize.NewFile()
	defer f.Close()
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return newSortedZip(w) })
	if err := f.SetSheetName("Sheet1", "Summary"); err != nil {
		return err
	}
	st, err := newStyles(f, inv.Currency)
	if err != nil {
		return err
	}
	sums := &lineSums{subtotal: decimal.Zero, tax: decimal.Zero, total: decimal.Zero, customers: map[string]*customerTotal{}}
	if err := writeLineItems(f, st, inv, lines, opts, sums); err != nil {
		return err
	}
	if err := writeSummary(f, st, inv, sums); err != nil {
		return err
	}
	if err := writeControl(f, st, inv, sums); err != nil {
		return err
	}
	if err := fixedProperties(f, "Reconciliation "+inv.Number, inv.IssueDate); err != nil {
		return err
	}
	return f.Write(nothingMore{})
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

// lineItemSheet streams rows into "Line items", "Line items (2)", ...
type lineItemSheet struct {
	f      *excelize.File
	st     styles
	max    int
	count  int // sheets started
	sw     *excelize.StreamWriter
	name   string
	row    int
	header []any
}

func (s *lineItemSheet) next() error {
	if err := s.finish(); err != nil {
		return err
	}
	s.count++
	s.name = "Line items"
	if s.count > 1 {
		s.name = fmt.Sprintf("Line items (%d)", s.count)
	}
	if _, err := s.f.NewSheet(s.name); err != nil {
		return err
	}
	sw, err := s.f.NewStreamWriter(s.name)
	if err != nil {
		return err
	}
	s.sw, s.row = sw, 1
	for i, width := range lineItemWidths {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return s.write(s.header)
}

func (s *lineItemSheet) write(values []any) error {
	if s.sw == nil || s.row > s.max {
		if err := s.next(); err != nil {
			return err
		}
	}
	ref, _ := excelize.CoordinatesToCellName(1, s.row)
	s.row++
	return s.sw.SetRow(ref, values)
}

// finish ends the current sheet with an auto-filter over its rows.
func (s *lineItemSheet) finish() error {
	if s.sw == nil {
		return nil
	}
	last, _ := excelize.CoordinatesToCellName(len(LineItemColumns), s.row-1)
	show := true
	if err := s.sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: tableName(s.count), StyleName: "TableStyleLight1", ShowHeaderRow: &show}); err != nil {
		return err
	}
	err := s.sw.Flush()
	s.sw = nil
	return err
}

func tableName(n int) string { return fmt.Sprintf("LineItems%d", n) }

func writeLineItems(f *excelize.File, st styles, inv Invoice, lines Lines, opts Options, sums *lineSums) error {
	header := make([]any, len(LineItemColumns))
	for i, c := range LineItemColumns {
		header[i] = cell(st.header, c)
	}
	sheet := &lineItemSheet{f: f, st: st, max: opts.maxRows(), header: header}
	row := make([]any, len(LineItemColumns))
	err := lines(func(l *Line) error {
		if err := lineRow(row, st, inv, l); err != nil {
			return fmt.Errorf("line %d of invoice %s: %w", sums.lines+1, inv.Number, err)
		}
		sums.add(l)
		return sheet.write(row)
	})
	if err != nil {
		return err
	}
	if sheet.sw == nil { // an invoice always has lines; keep the sheet all the same
		if err := sheet.next(); err != nil {
			return err
		}
	}
	return sheet.finish()
}

func lineRow(row []any, st styles, inv Invoice, l *Line) error {
	texts := []struct {
		at int
		v  string
	}{
		{0, inv.AccountID}, {1, inv.AccountName}, {2, l.CustomerID}, {3, l.CustomerName}, {4, l.CustomerCountry},
		{5, inv.Number}, {6, l.OrderID}, {7, l.SubscriptionID}, {8, l.SKU}, {9, l.ProductName}, {10, l.ChargeType},
		{19, string(inv.Currency)}, {23, l.Detail},
	}
	for _, t := range texts {
		s, err := text(t.v)
		if err != nil {
			return err
		}
		row[t.at] = s
	}
	row[11] = cell(st.date, excelDate(l.ChargeStart))
	row[12] = cell(st.date, excelDate(l.ChargeEnd))
	row[20] = cell(st.date, excelDate(l.ActivityDate))
	nums := []struct {
		at    int
		v     decimal.Decimal
		style int
	}{
		{13, l.UnitPrice, st.price}, {14, l.EffectiveUnitPrice, st.price}, {15, l.Quantity, 0},
		{16, l.Amount, st.money}, {17, l.Tax, st.money}, {18, l.Total, st.money},
	}
	for _, n := range nums {
		v, err := number(n.v)
		if err != nil {
			return err
		}
		row[n.at] = cell(n.style, v)
	}
	row[21], row[22] = optionalInt(l.DaysCharged), optionalInt(l.TermDays)
	row[24] = "no"
	if l.Reversal {
		row[24] = "yes"
	}
	return nil
}

func optionalInt(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

func writeSummary(f *excelize.File, st styles, inv Invoice, sums *lineSums) error {
	sw, err := f.NewStreamWriter("Summary")
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, 1, 16); err != nil {
		return err
	}
	if err := sw.SetColWidth(2, 6, 22); err != nil {
		return err
	}
	subtotal, err := number(inv.Subtotal)
	if err != nil {
		return err
	}
	tax, err := number(inv.Tax)
	if err != nil {
		return err
	}
	total, err := number(inv.Total)
	if err != nil {
		return err
	}
	rate, err := number(inv.TaxRate)
	if err != nil {
		return err
	}
	accountName, err := text(inv.AccountName)
	if err != nil {
		return err
	}
	rows := [][]any{
		{cell(st.bold, "Invoice"), inv.Number},
		{cell(st.bold, "Type"), inv.Type},
		{cell(st.bold, "Billing"), inv.Billing},
		{cell(st.bold, "Account"), inv.AccountID},
		{cell(st.bold, "Account name"), accountName},
		{cell(st.bold, "Window start"), cell(st.date, excelDate(inv.WindowStart))},
		{cell(st.bold, "Window end"), cell(st.date, excelDate(inv.WindowEnd))},
		{cell(st.bold, "Issue date"), cell(st.date, excelDate(inv.IssueDate))},
		{cell(st.bold, "Currency"), string(inv.Currency)},
		{cell(st.bold, "Tax rate"), rate},
		{cell(st.bold, "Subtotal"), cell(st.money, subtotal)},
		{cell(st.bold, "Tax"), cell(st.money, tax)},
		{cell(st.bold, "Total"), cell(st.boldMoney, total)},
		{cell(st.bold, "Adjusts"), inv.Adjusts},
		{},
		{cell(st.header, "CustomerId"), cell(st.header, "CustomerName"), cell(st.header, "CustomerCountry"),
			cell(st.header, "Subtotal"), cell(st.header, "TaxTotal"), cell(st.header, "Total")},
	}
	customers := make([]*customerTotal, 0, len(sums.customers))
	for _, c := range sums.customers {
		customers = append(customers, c)
	}
	sort.Slice(customers, func(i, j int) bool { return customers[i].id < customers[j].id })
	for _, c := range customers {
		name, err := text(c.name)
		if err != nil {
			return err
		}
		row := []any{c.id, name, c.country}
		for _, v := range []decimal.Decimal{c.subtotal, c.tax, c.total} {
			n, err := number(v)
			if err != nil {
				return err
			}
			row = append(row, cell(st.money, n))
		}
		rows = append(rows, row)
	}
	for i, r := range rows {
		ref, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(ref, r); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// writeControl ties the sum of the lines to the invoice's header (SPEC §8).
func writeControl(f *excelize.File, st styles, inv Invoice, sums *lineSums) error {
	if _, err := f.NewSheet("Control"); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter("Control")
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, 4, 18); err != nil {
		return err
	}
	rows := [][]any{{cell(st.header, "Measure"), cell(st.header, "Sum of lines"), cell(st.header, "Invoice"), cell(st.header, "Difference")}}
	for _, m := range []struct {
		name          string
		lines, header decimal.Decimal
	}{
		{"Subtotal", sums.subtotal, inv.Subtotal}, {"Tax", sums.tax, inv.Tax}, {"Total", sums.total, inv.Total},
	} {
		row := []any{m.name}
		for _, v := range []decimal.Decimal{m.lines, m.header, m.lines.Sub(m.header)} {
			n, err := number(v)
			if err != nil {
				return err
			}
			row = append(row, cell(st.money, n))
		}
		rows = append(rows, row)
	}
	rows = append(rows, []any{"Lines", sums.lines, inv.Lines, sums.lines - inv.Lines})
	for i, r := range rows {
		ref, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(ref, r); err != nil {
			return err
		}
	}
	return sw.Flush()
}
