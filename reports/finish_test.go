package reports_test

import (
	"archive/zip"
	"bytes"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/openbilling/billing/reports"
)

// parts reads every part of a workbook.
func parts(t *testing.T, data []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, zf := range zr.File {
		if got := zf.Modified.Format(time.DateOnly); got != "2026-06-15" {
			t.Errorf("%s is dated %s, want the issue date", zf.Name, got)
		}
		r, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r)
		r.Close()
		out[zf.Name] = string(b)
	}
	return out
}

// Each sheet declares the range it holds, lists its column widths in
// column order, prints landscape one page wide with its header row on
// every page and the invoice number and page in the footer; every font is
// named; number headers are right-aligned; the tax rate is a percentage.
func TestFilesAreFinishedForEveryReader(t *testing.T) {
	t.Parallel()
	inv, lines := jpyInvoice()
	for kind, write := range map[string]func(*bytes.Buffer) error{
		"reconciliation": func(b *bytes.Buffer) error {
			return reports.WriteReconciliation(b, inv, source(lines), reports.Options{})
		},
		"invoice": func(b *bytes.Buffer) error { return reports.WriteDocument(b, inv, source(lines), reports.Options{}) },
	} {
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			t.Fatal(err)
		}
		p := parts(t, buf.Bytes())
		want := map[string]string{ // sheet part → its dimension
			"reconciliation": "sheet1:A1:F19 sheet2:A1:Y4 sheet3:A1:D5",
			"invoice":        "sheet1:A1:G16 sheet2:A1:N4",
		}[kind]
		var got []string
		for i := 1; i <= 3; i++ {
			sheet, ok := p["xl/worksheets/sheet"+string(rune('0'+i))+".xml"]
			if !ok {
				continue
			}
			got = append(got, "sheet"+string(rune('0'+i))+":"+regexp.MustCompile(`<dimension ref="([^"]+)"`).FindStringSubmatch(sheet)[1])
			var cols []string
			for _, m := range regexp.MustCompile(`<col min="(\d+)"`).FindAllStringSubmatch(sheet, -1) {
				cols = append(cols, m[1])
			}
			for j := range cols {
				if want := string(rune('1' + j)); j < 9 && cols[j] != want {
					t.Errorf("%s sheet %d: widths in the order %v", kind, i, cols)
					break
				}
			}
			for _, want := range []string{`<pageSetUpPr fitToPage="true">`, `<pageSetup fitToHeight="0" fitToWidth="1" orientation="landscape">`,
				`<oddFooter>&amp;L` + map[string]string{"reconciliation": "Reconciliation", "invoice": "Invoice"}[kind] + ` INV-2026-000042&amp;RPage &amp;P of &amp;N</oddFooter>`} {
				if !strings.Contains(sheet, want) {
					t.Errorf("%s sheet %d lacks %s", kind, i, want)
				}
			}
		}
		if strings.Join(got, " ") != want {
			t.Errorf("%s dimensions %s, want %s", kind, strings.Join(got, " "), want)
		}
		lineSheet := map[string]string{"reconciliation": "'Line items'!$1:$1", "invoice": "'Charges'!$1:$1"}[kind]
		if !strings.Contains(p["xl/workbook.xml"], `name="_xlnm.Print_Titles">`+strings.ReplaceAll(lineSheet, "'", "&#39;")+`</definedName>`) &&
			!strings.Contains(p["xl/workbook.xml"], `name="_xlnm.Print_Titles">`+lineSheet+`</definedName>`) {
			t.Errorf("%s: no print titles %s in %s", kind, lineSheet, p["xl/workbook.xml"])
		}
		for _, font := range regexp.MustCompile(`<font>.*?</font>`).FindAllString(p["xl/styles.xml"], -1) {
			if !strings.Contains(font, `<name val="Calibri">`) || !strings.Contains(font, `<sz val="11">`) {
				t.Errorf("%s: a font without its name or size: %s", kind, font)
			}
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		sheet, cell := map[string][2]string{"reconciliation": {"Line items", "Q1"}, "invoice": {"Charges", "J1"}}[kind][0], map[string][2]string{"reconciliation": {"Line items", "Q1"}, "invoice": {"Charges", "J1"}}[kind][1]
		style, _ := f.GetCellStyle(sheet, cell)
		if st, err := f.GetStyle(style); err != nil || st.Alignment == nil || st.Alignment.Horizontal != "right" {
			t.Errorf("%s: the header over amounts (%s) is not right-aligned", kind, cell)
		}
		if kind == "reconciliation" {
			if rate, _ := f.GetCellValue("Summary", "B10"); rate != "10.00%" {
				t.Errorf("tax rate shows %q, want 10.00%%", rate)
			}
		}
		f.Close()
	}
}

// A credit invoice credits the account; it never says a negative amount is due.
func TestACreditReadsAsACredit(t *testing.T) {
	t.Parallel()
	inv, lines := jpyInvoice()
	inv.Type, inv.Subtotal, inv.Tax, inv.Total, inv.LineCount = "credit", dec("967"), dec("97"), dec("1064"), 1
	lines = lines[1:2]
	inv.Subtotal, inv.Tax, inv.Total = inv.Subtotal.Neg(), inv.Tax.Neg(), inv.Total.Neg()
	f := render(t, func(b *bytes.Buffer) error { return reports.WriteDocument(b, inv, source(lines), reports.Options{}) })
	front := rows(t, f, "Invoice")
	last := front[len(front)-1]
	if got := strings.Join(last[3:], " "); got != "Credit to your account 1,064" {
		t.Errorf("the credit's last line: %q", got)
	}
	if front[0][0] != "Credit note" {
		t.Errorf("title %q", front[0][0])
	}
}
