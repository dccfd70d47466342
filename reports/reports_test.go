package reports_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/invoicing"
	"github.com/openbilling/billing/rating"
	"github.com/openbilling/billing/reports"
)

var (
	d   = calendar.MustParseDate
	dec = decimal.RequireFromString
)

func ptr[T any](v T) *T { return &v }

func jpyInvoice() (reports.Invoice, []reports.Line) {
	inv := reports.Invoice{
		Number: "INV-2026-000042", Type: "new", Billing: "anniversary", AccountID: "K1", AccountName: "Kaede KK",
		Currency: "JPY", WindowStart: d("2026-05-15"), WindowEnd: d("2026-06-14"), IssueDate: d("2026-06-15"),
		TaxRate: dec("0.10"), Subtotal: dec("2903"), Tax: dec("290"), Total: dec("3193"), LineCount: 3, DueDate: ptr(d("2026-07-15")),
	}
	seat := func(customer, name, order string) reports.Line {
		return reports.Line{CustomerName: name, CustomerCountry: "JP", ProductName: "Seat", Line: invoicing.Line{Line: rating.Line{
			CustomerID: customer, OrderID: order, SubscriptionID: "S1", SKU: "LIC", UnitPrice: dec("1000")}}}
	}
	lines := []reports.Line{seat("C1", `=HYPERLINK("http://x","y")`, "O1"), seat("C1", `=HYPERLINK("http://x","y")`, "O2"), seat("C2", "+Plus & Co", "O2")}
	lines[0].ChargeType, lines[0].ChargeStart, lines[0].ChargeEnd, lines[0].ActivityDate = "new", d("2026-06-11"), d("2026-07-10"), d("2026-06-11")
	lines[0].EffectiveUnitPrice, lines[0].Quantity, lines[0].Amount, lines[0].Tax, lines[0].Total = dec("1000"), dec("1"), dec("1000"), dec("100"), dec("1100")
	for i := 1; i < len(lines); i++ {
		l := &lines[i]
		l.ChargeType, l.ChargeStart, l.ChargeEnd, l.ActivityDate = "addQuantity", d("2026-06-12"), d("2026-07-10"), d("2026-06-12")
		l.DaysCharged, l.TermDays = 29, 30
	}
	lines[1].EffectiveUnitPrice, lines[1].Quantity, lines[1].Amount, lines[1].Tax, lines[1].Total = dec("-967"), dec("1"), dec("-967"), dec("-97"), dec("-1064")
	lines[2].EffectiveUnitPrice, lines[2].Quantity, lines[2].Amount, lines[2].Tax, lines[2].Total = dec("967"), dec("3"), dec("2870"), dec("287"), dec("3157")
	return inv, lines
}

func source(lines []reports.Line) reports.Lines {
	return func(yield func(*reports.Line) error) error {
		for i := range lines {
			if err := yield(&lines[i]); err != nil {
				return err
			}
		}
		return nil
	}
}

func render(t *testing.T, write func(*bytes.Buffer) error) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func rows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	r, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReconciliationCellsReadBack(t *testing.T) {
	t.Parallel()
	inv, lines := jpyInvoice()
	f := render(t, func(b *bytes.Buffer) error {
		return reports.WriteReconciliation(b, inv, source(lines), reports.Options{})
	})
	if got := strings.Join(f.GetSheetList(), ","); got != "Summary,Line items,Control" {
		t.Fatalf("sheets %s", got)
	}
	items := rows(t, f, "Line items")
	if got := strings.Join(items[0], ","); got != strings.Join(reports.LineItemColumns, ",") {
		t.Errorf("header %s", got)
	}
	want := []string{"K1", "Kaede KK", "C1", `=HYPERLINK("http://x","y")`, "JP", "INV-2026-000042", "O2", "S1", "LIC", "Seat",
		"addQuantity", "2026-06-12", "2026-07-10", "1,000", "-967", "1", "-967", "-97", "-1,064", "JPY", "2026-06-12", "29", "30", "", "no"}
	if got := items[2]; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("credit line:\n%q\nwant\n%q", got, want)
	}
	// The name that looks like a formula is stored as text, with no formula.
	if formula, _ := f.GetCellFormula("Line items", "D2"); formula != "" {
		t.Errorf("D2 has formula %q", formula)
	}
	if typ, _ := f.GetCellType("Line items", "D2"); typ != excelize.CellTypeInlineString {
		t.Errorf("D2 has type %v, want an inline string", typ)
	}
	// Money is a number whose text in the file is the decimal's digits.
	raw, _ := f.GetCellValue("Line items", "Q3", excelize.Options{RawCellValue: true})
	if raw != "-967" {
		t.Errorf("raw Q3 = %q", raw)
	}
	if typ, _ := f.GetCellType("Line items", "Q3"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("Q3 type %v", typ)
	}
	date, _ := f.GetCellValue("Line items", "L2", excelize.Options{RawCellValue: true})
	if date != "46184" { // 2026-06-11 as an Excel serial date
		t.Errorf("raw L2 = %q, want the serial date 46184", date)
	}
	control := rows(t, f, "Control")
	assertRows(t, "Control", control, [][]string{
		{"Measure", "Sum of lines", "Invoice", "Difference"},
		{"Subtotal", "2,903", "2,903", "0"},
		{"Tax", "290", "290", "0"},
		{"Total", "3,193", "3,193", "0"},
		{"Lines", "3", "3", "0"},
	})
	summary := rows(t, f, "Summary")
	if due, _ := f.GetCellValue("Summary", "B15", excelize.Options{RawCellValue: true}); summary[14][0] != "Due date" || due != "46218" {
		t.Errorf("Summary row 15 = %v, raw B15 %q; want Due date and 2026-07-15 as the serial date 46218", summary[14], due)
	}
	assertRows(t, "Summary customers", summary[16:], [][]string{
		{"CustomerId", "CustomerName", "CustomerCountry", "Subtotal", "TaxTotal", "Total"},
		{"C1", `=HYPERLINK("http://x","y")`, "JP", "33", "3", "36"},
		{"C2", "+Plus & Co", "JP", "2,870", "287", "3,157"},
	})
	if summary[0][1] != "INV-2026-000042" || summary[12][1] != "3,193" {
		t.Errorf("summary header %q / %q", summary[0], summary[12])
	}
	panes, err := f.GetPanes("Line items")
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v %v", panes, err)
	}
	tables, err := f.GetTables("Line items")
	if err != nil || len(tables) != 1 || tables[0].Range != "A1:Y4" {
		t.Errorf("auto-filter table %+v %v", tables, err)
	}
}

func assertRows(t *testing.T, what string, got, want [][]string) {
	t.Helper()
	var g, w []string
	for _, r := range got {
		g = append(g, strings.Join(r, "|"))
	}
	for _, r := range want {
		w = append(w, strings.Join(r, "|"))
	}
	if strings.Join(g, "\n") != strings.Join(w, "\n") {
		t.Errorf("%s:\n%s\nwant:\n%s", what, strings.Join(g, "\n"), strings.Join(w, "\n"))
	}
}

func TestMoneyHasTheCurrencysDecimals(t *testing.T) {
	t.Parallel()
	inv, lines := jpyInvoice()
	inv.Currency = "KWD"
	lines = lines[:1]
	lines[0].Amount, lines[0].Tax, lines[0].Total = dec("1.5"), dec("0.15"), dec("1.65")
	inv.Subtotal, inv.Tax, inv.Total, inv.LineCount = dec("1.5"), dec("0.15"), dec("1.65"), 1
	f := render(t, func(b *bytes.Buffer) error {
		return reports.WriteReconciliation(b, inv, source(lines), reports.Options{})
	})
	items := rows(t, f, "Line items")
	if got := strings.Join(items[1][16:19], " "); got != "1.500 0.150 1.650" {
		t.Errorf("KWD amounts %q", got)
	}
}

func TestTheSameInvoiceRendersToTheSameBytes(t *testing.T) {
	t.Parallel()
	inv, lines := jpyInvoice()
	for name, write := range map[string]func(*bytes.Buffer) error{
		"reconciliation": func(b *bytes.Buffer) error {
			return reports.WriteReconciliation(b, inv, source(lines), reports.Options{})
		},
		"invoice": func(b *bytes.Buffer) error { return reports.WriteDocument(b, inv, source(lines), reports.Options{}) },
	} {
		var a, b bytes.Buffer
		if err := write(&a); err != nil {
			t.Fatal(err)
		}
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: two renders differ", name)
		}
	}
}

func TestLinesPastTheRowLimitContinueOnTheNextSheet(t *testing.T) {
	t.Parallel()
	inv, base := jpyInvoice()
	var lines []reports.Line
	for i := 0; i < 12; i++ {
		l := base[0]
		l.OrderID = fmt.Sprintf("O%02d", i)
		lines = append(lines, l)
	}
	inv.LineCount = 12
	f := render(t, func(b *bytes.Buffer) error {
		return reports.WriteReconciliation(b, inv, source(lines), reports.Options{MaxSheetRows: 5})
	})
	if got := strings.Join(f.GetSheetList(), ","); got != "Summary,Line items,Line items (2),Line items (3),Control" {
		t.Fatalf("sheets %s", got)
	}
	for sheet, want := range map[string][]string{"Line items": {"O00", "O03"}, "Line items (2)": {"O04", "O07"}, "Line items (3)": {"O08", "O11"}} {
		r := rows(t, f, sheet)
		if r[0][0] != "AccountId" || r[1][6] != want[0] || r[len(r)-1][6] != want[1] || len(r) > 5 {
			t.Errorf("%s: %d rows from %s to %s", sheet, len(r), r[1][6], r[len(r)-1][6])
		}
	}
	doc := render(t, func(b *bytes.Buffer) error {
		return reports.WriteDocument(b, inv, source(lines), reports.Options{MaxSheetRows: 5})
	})
	if got := strings.Join(doc.GetSheetList(), ","); got != "Invoice,Charges,Charges (2),Charges (3)" {
		t.Errorf("document sheets %s", got)
	}
}

func TestInvoiceDocumentSummarisesByProduct(t *testing.T) {
	t.Parallel()
	inv, lines := jpyInvoice()
	f := render(t, func(b *bytes.Buffer) error { return reports.WriteDocument(b, inv, source(lines), reports.Options{}) })
	front := rows(t, f, "Invoice")
	if due, _ := f.GetCellValue("Invoice", "B6", excelize.Options{RawCellValue: true}); front[5][0] != "Due date" || due != "46218" {
		t.Errorf("Invoice row 6 = %v, raw B6 %q; want Due date and 2026-07-15 as the serial date 46218", front[5], due)
	}
	assertRows(t, "itemised summary", front[8:], [][]string{
		{},
		{"Product", "Product name", "Charge", "Lines", "Amount", "Tax", "Total"},
		{"LIC", "Seat", "addQuantity", "2", "1,903", "190", "2,093"},
		{"LIC", "Seat", "new", "1", "1,000", "100", "1,100"},
		{},
		{"", "", "", "Subtotal", "2,903"},
		{"", "", "", "Tax (10%)", "290"},
		{"", "", "", "Total due", "3,193"},
	})
	charges := rows(t, f, "Charges")
	if len(charges) != 4 || charges[2][2] != `=HYPERLINK("http://x","y")` || charges[2][9] != "-967" {
		t.Errorf("charges %q", charges)
	}
}

func TestAnAmountASpreadsheetCannotHoldIsAnError(t *testing.T) {
	t.Parallel()
	inv, lines := jpyInvoice()
	lines[0].Amount = dec("1234567890123456")
	err := reports.WriteReconciliation(&bytes.Buffer{}, inv, source(lines), reports.Options{})
	if !errors.Is(err, reports.ErrNumberTooLong) || !strings.Contains(err.Error(), "line 1 of invoice INV-2026-000042: amount 1234567890123456") {
		t.Errorf("got %v", err)
	}
}
