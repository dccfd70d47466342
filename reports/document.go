package reports

import (
	"fmt"
	"io"
	"sort"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// chargeColumns are the columns of the invoice document's Charges sheet.
var chargeColumns = []string{"Date", "Customer", "Customer name", "Product", "Charge", "Service from", "Service to",
	"Quantity", "Unit price", "Amount", "Tax", "Total", "Order", "Subscription"}

var chargeWidths = []float64{12, 14, 28, 28, 16, 13, 13, 10, 12, 14, 12, 14, 14, 16}

// productTotal sums an invoice's lines of one product and charge type.
type productTotal struct {
	sku, name, charge  string
	lines              int
	amount, tax, total decimal.Decimal
}

// WriteDocument writes the invoice document the account holder receives:
// an Invoice sheet with the header and an itemised summary by product and
// charge, and a Charges sheet with every line (continued past Excel's row
// limit on Charges (2), ...).
func WriteDocument(w io.Writer, inv Invoice, lines Lines, opts Options) error {
	f := excelize.NewFile()
	defer f.Close()
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return newSortedZip(w) })
	if err := f.SetSheetName("Sheet1", "Invoice"); err != nil {
		return err
	}
	st, err := newStyles(f, inv.Currency)
	if err != nil {
		return err
	}
	products := map[string]*productTotal{}
	header := make([]any, len(chargeColumns))
	for i, c := range chargeColumns {
		header[i] = cell(st.header, c)
	}
	var sw *excelize.StreamWriter
	sheets, row := 0, 0
	nextSheet := func() error {
		if sw != nil {
			if err := sw.Flush(); err != nil {
				return err
			}
		}
		sheets++
		name := "Charges"
		if sheets > 1 {
			name = fmt.Sprintf("Charges (%d)", sheets)
		}
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
		if sw, err = f.NewStreamWriter(name); err != nil {
			return err
		}
		for i, width := range chargeWidths {
			if err := sw.SetColWidth(i+1, i+1, width); err != nil {
				return err
			}
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		row = 1
		return sw.SetRow("A1", header)
	}
	values := make([]any, len(chargeColumns))
	err = lines(func(l *Line) error {
		if sw == nil || row >= opts.maxRows() {
			if err := nextSheet(); err != nil {
				return err
			}
		}
		if err := chargeRow(values, st, l); err != nil {
			return fmt.Errorf("invoice %s: %w", inv.Number, err)
		}
		row++
		ref, _ := excelize.CoordinatesToCellName(1, row)
		key := l.SKU + "\x1f" + l.ChargeType
		p, ok := products[key]
		if !ok {
			p = &productTotal{sku: l.SKU, name: l.ProductName, charge: l.ChargeType, amount: decimal.Zero, tax: decimal.Zero, total: decimal.Zero}
			products[key] = p
		}
		p.lines++
		p.amount, p.tax, p.total = p.amount.Add(l.Amount), p.tax.Add(l.Tax), p.total.Add(l.Total)
		return sw.SetRow(ref, values)
	})
	if err != nil {
		return err
	}
	if sw == nil {
		if err := nextSheet(); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if err := writeDocumentFront(f, st, inv, products); err != nil {
		return err
	}
	if err := fixedProperties(f, "Invoice "+inv.Number, inv.IssueDate); err != nil {
		return err
	}
	return f.Write(nothingMore{})
}

func chargeRow(values []any, st styles, l *Line) error {
	for i, s := range []string{l.CustomerID, l.CustomerName, l.ProductName, l.ChargeType} {
		t, err := text(s)
		if err != nil {
			return err
		}
		values[1+i] = t
	}
	values[0] = cell(st.date, excelDate(l.ActivityDate))
	values[5] = cell(st.date, excelDate(l.ChargeStart))
	values[6] = cell(st.date, excelDate(l.ChargeEnd))
	for i, n := range []struct {
		v     decimal.Decimal
		style int
	}{{l.Quantity, 0}, {l.EffectiveUnitPrice, st.price}, {l.Amount, st.money}, {l.Tax, st.money}, {l.Total, st.money}} {
		v, err := number(n.v)
		if err != nil {
			return err
		}
		values[7+i] = cell(n.style, v)
	}
	values[12], values[13] = l.OrderID, l.SubscriptionID
	return nil
}

func writeDocumentFront(f *excelize.File, st styles, inv Invoice, products map[string]*productTotal) error {
	sw, err := f.NewStreamWriter("Invoice")
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, 1, 18); err != nil {
		return err
	}
	if err := sw.SetColWidth(2, 6, 20); err != nil {
		return err
	}
	name, err := text(inv.AccountName)
	if err != nil {
		return err
	}
	title := "Invoice"
	if inv.Type == "credit" {
		title = "Credit note"
	}
	rows := [][]any{
		{cell(st.bold, title), inv.Number},
		{},
		{cell(st.bold, "Billed to"), name},
		{cell(st.bold, "Account"), inv.AccountID},
		{cell(st.bold, "Issue date"), cell(st.date, excelDate(inv.IssueDate))},
		{cell(st.bold, "Billing period"), cell(st.date, excelDate(inv.WindowStart)), cell(st.date, excelDate(inv.WindowEnd))},
		{cell(st.bold, "Currency"), string(inv.Currency)},
	}
	if inv.Adjusts != "" {
		rows = append(rows, []any{cell(st.bold, "Adjusts invoice"), inv.Adjusts})
	}
	rows = append(rows, []any{}, []any{cell(st.header, "Product"), cell(st.header, "Product name"), cell(st.header, "Charge"),
		cell(st.header, "Lines"), cell(st.header, "Amount"), cell(st.header, "Tax"), cell(st.header, "Total")})
	list := make([]*productTotal, 0, len(products))
	for _, p := range products {
		list = append(list, p)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].sku != list[j].sku {
			return list[i].sku < list[j].sku
		}
		return list[i].charge < list[j].charge
	})
	for _, p := range list {
		pname, err := text(p.name)
		if err != nil {
			return err
		}
		row := []any{p.sku, pname, p.charge, p.lines}
		for _, v := range []decimal.Decimal{p.amount, p.tax, p.total} {
			n, err := number(v)
			if err != nil {
				return err
			}
			row = append(row, cell(st.money, n))
		}
		rows = append(rows, row)
	}
	rows = append(rows, []any{})
	for _, t := range []struct {
		label string
		v     decimal.Decimal
		style int
	}{{"Subtotal", inv.Subtotal, st.money}, {fmt.Sprintf("Tax (%s%%)", inv.TaxRate.Mul(decimal.NewFromInt(100)).String()), inv.Tax, st.money}, {"Total due", inv.Total, st.boldMoney}} {
		n, err := number(t.v)
		if err != nil {
			return err
		}
		rows = append(rows, []any{nil, nil, nil, cell(st.bold, t.label), cell(t.style, n)})
	}
	for i, r := range rows {
		ref, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(ref, r); err != nil {
			return err
		}
	}
	return sw.Flush()
}
