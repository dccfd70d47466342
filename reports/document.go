package reports

import (
	"fmt"
	"io"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/internal/xlsxstream"
	"github.com/openbilling/billing/locale"
)

// chargeColumns are the columns of the invoice document's Charges sheet.
var chargeColumns = []string{"Date", "Customer", "Customer name", "Product", "Charge", "Service from", "Service to",
	"Quantity", "Unit price", "Amount", "Tax", "Total", "Order", "Subscription"}

var chargeWidths = []float64{12, 14, 28, 28, 16, 14, 13, 11, 13, 14, 12, 14, 14, 16}

// productTotal sums an invoice's lines of one product and charge type.
type productTotal struct {
	sku, name, charge  string
	lines              int
	amount, tax, total decimal.Decimal
}

// productTotals are an invoice's sums by product and charge type, the
// itemised summary of its spreadsheet and its PDF.
type productTotals map[string]*productTotal

func (ps productTotals) add(l *Line) {
	key := l.SKU + "\x1f" + string(l.ChargeType)
	p, ok := ps[key]
	if !ok {
		p = &productTotal{sku: l.SKU, name: l.ProductName, charge: string(l.ChargeType), amount: decimal.Zero, tax: decimal.Zero, total: decimal.Zero}
		ps[key] = p
	}
	p.lines++
	p.amount, p.tax, p.total = p.amount.Add(l.Amount), p.tax.Add(l.Tax), p.total.Add(l.Total)
}

// sorted lists the sums by product, then charge type.
func (ps productTotals) sorted() []*productTotal {
	list := make([]*productTotal, 0, len(ps))
	for _, p := range ps {
		list = append(list, p)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].sku != list[j].sku {
			return list[i].sku < list[j].sku
		}
		return list[i].charge < list[j].charge
	})
	return list
}

// TotalLine is how a document ends: what the account holder owes, or for a
// credit (a negative total) what the account is credited with, as a
// positive amount (§6).
// The label is in English; TotalLabel gives it in the document's language.
func TotalLine(total decimal.Decimal) (label string, amount decimal.Decimal) {
	if total.IsNegative() {
		return "Credit to your account", total.Neg()
	}
	return "Total due", total
}

// totalLine is TotalLine in p's language.
func totalLine(p *locale.Printer, total decimal.Decimal) (string, decimal.Decimal) {
	label, amount := TotalLine(total)
	return p.T(label), amount
}

// documentLayout is the invoice document's sheets, named in its language.
func documentLayout(p *locale.Printer, sheets int) []sheetLayout {
	layout := []sheetLayout{{name: p.T("Invoice"), widths: []float64{18, 28, 16, 24, 16, 14, 16}}}
	for k := 1; k <= sheets; k++ {
		layout = append(layout, sheetLayout{name: lineSheetName(p.T("Charges"), k), widths: chargeWidths, freeze: true})
	}
	return layout
}

// WriteDocument writes the invoice document the account holder receives:
// an Invoice sheet with the header and an itemised summary by product and
// charge, and a Charges sheet with every line (continued past Excel's row
// limit on Charges (2), ...).
func WriteDocument(w io.Writer, inv Invoice, lines Lines, opts Options) error {
	p := locale.For(inv.Locale)
	title := documentTitle(p, inv) + " " + inv.Number
	b, st, sheets, err := openWorkbook(w, "invoice", documentLayout, inv, p, title, opts)
	if err != nil {
		return err
	}
	products := productTotals{}
	header := func(s *xlsxstream.Sheet) error { return writeHeader(s, st, p, chargeColumns) }
	ended := func(int, int) error { return nil }
	err = writeLineSheets(b, 1, sheets, len(chargeColumns), opts, inv, lines, header, ended, func(s *xlsxstream.Sheet, l *Line) error {
		if err := chargeRow(s, st, p, l); err != nil {
			return fmt.Errorf("invoice %s: %w", inv.Number, err)
		}
		products.add(l)
		return nil
	})
	if err != nil {
		return err
	}
	if err := writeSheet(b, 0, documentFrontRows(st, p, inv, products)); err != nil {
		return err
	}
	return b.Close(title, inv.IssueDate.Time())
}

func chargeRow(s *xlsxstream.Sheet, st styles, p *locale.Printer, l *Line) error {
	s.StartRow()
	s.Date(st.date, l.ActivityDate)
	if err := s.Texts(l.CustomerID, l.CustomerName, l.ProductName, chargeName(p, string(l.ChargeType))); err != nil {
		return err
	}
	s.Date(st.date, l.ChargeStart)
	s.Date(st.date, l.ChargeEnd)
	if err := s.Numbers(styled(l.Quantity, 0), styled(l.EffectiveUnitPrice, st.priceStyle(l.EffectiveUnitPrice)), styled(l.Amount, st.money),
		styled(l.Tax, st.money), styled(l.Total, st.money)); err != nil {
		return err
	}
	if err := s.Texts(l.OrderID, l.SubscriptionID); err != nil {
		return err
	}
	s.EndRow()
	return nil
}

func documentFrontRows(st styles, p *locale.Printer, inv Invoice, products productTotals) [][]cellFn {
	label := func(name string) cellFn { return txt(st.bold, p.T(name)) }
	rows := [][]cellFn{
		{txt(st.bold, documentTitle(p, inv)), txt(0, inv.Number)},
		{},
		{label("Billed to"), txt(0, inv.AccountName)},
		{label("Account"), txt(0, inv.AccountID)},
		{label("Issue date"), day(st.date, inv.IssueDate)},
	}
	if inv.DueDate != nil {
		rows = append(rows, []cellFn{label("Due date"), day(st.date, *inv.DueDate)})
	}
	rows = append(rows,
		[]cellFn{label("Billing period"), day(st.date, inv.WindowStart), day(st.date, inv.WindowEnd)},
		[]cellFn{label("Currency"), txt(0, string(inv.Currency))})
	if inv.Adjusts != "" {
		rows = append(rows, []cellFn{label("Adjusts invoice"), txt(0, inv.Adjusts)})
	}
	rows = append(rows, []cellFn{}, headerCells(st, p, "Product", "Product name", "Charge", "Lines", "Amount", "Tax", "Total"))
	for _, pt := range products.sorted() {
		rows = append(rows, []cellFn{txt(0, pt.sku), txt(0, pt.name), txt(0, chargeName(p, pt.charge)), count(pt.lines),
			num(st.money, pt.amount), num(st.money, pt.tax), num(st.money, pt.total)})
	}
	rows = append(rows, []cellFn{})
	last, total := totalLine(p, inv.Total)
	for _, t := range []struct {
		label string
		v     decimal.Decimal
		style int
	}{{p.T("Subtotal"), inv.Subtotal, st.money}, {taxLabel(p, inv), inv.Tax, st.money}, {last, total, st.boldMoney}} {
		rows = append(rows, []cellFn{blank, blank, blank, txt(st.bold, t.label), num(t.style, t.v)})
	}
	return rows
}

// taxLabel is the tax's label with its rate: "Tax (20%)".
func taxLabel(p *locale.Printer, inv Invoice) string {
	return p.T("Tax ({{.Rate}})", "Rate", inv.TaxRate.Mul(decimal.NewFromInt(100)).String()+"%")
}

// chargeName is a charge type as the account holder reads it: its code in
// English, its name in other languages.
func chargeName(p *locale.Printer, code string) string {
	return p.Code("charge.", code)
}
