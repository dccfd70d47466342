package xlsxstream_test

import (
	"archive/zip"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/internal/xlsxstream"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const wide = 30 // columns of the second sheet: past Z

// goldenTemplate lays out two sheets as a caller would: a front sheet with
// a column width, and a wide sheet with a frozen header and a table.
func goldenTemplate(t *testing.T) *xlsxstream.Template {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "Front"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("Rows"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetHeaderFooter("Front", &excelize.HeaderFooterOptions{OddFooter: "&L" + xlsxstream.PlaceholderFooter + "&RPage &P of &N"}); err != nil {
		t.Fatal(err)
	}
	sw, err := f.NewStreamWriter("Front")
	if err != nil {
		t.Fatal(err)
	}
	for col := 3; col >= 1; col-- { // excelize keeps widths in a map: the template sorts them
		if err := sw.SetColWidth(col, col, float64(10*col)); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if sw, err = f.NewStreamWriter("Rows"); err != nil {
		t.Fatal(err)
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		t.Fatal(err)
	}
	header := make([]any, wide)
	for i := range header {
		header[i] = fmt.Sprintf("Column%d", i+1)
	}
	if err := sw.SetRow("A1", header); err != nil {
		t.Fatal(err)
	}
	show := true
	if err := sw.AddTable(&excelize.Table{Range: xlsxstream.TableRef(wide, xlsxstream.PlaceholderRows), Name: "Rows1", ShowHeaderRow: &show}); err != nil {
		t.Fatal(err)
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	tpl, err := xlsxstream.NewTemplate(f, "xlsxstream test")
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func writeGolden(t *testing.T, w io.Writer) {
	t.Helper()
	b, err := xlsxstream.NewWorkbook(w, goldenTemplate(t), time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC), "Invoice A&B <1>")
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.Sheet(0, 11, 1)
	if err != nil {
		t.Fatal(err)
	}
	s.StartRow()
	for _, err := range []error{
		s.Text(0, "  leading and trailing  "), s.Text(0, "a & b < c > d"), s.Text(0, "=HYPERLINK(\"x\")"),
		s.Number(0, decimal.RequireFromString("1234.5")), s.Number(0, decimal.RequireFromString("-0.000123")),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	s.Skip()
	s.Date(0, calendar.MustParseDate("2026-06-15"))
	s.Integer(0, 7, false)
	s.Integer(0, 0, true)
	s.Text(0, "tab\there\rand\u0001control") //nolint:errcheck // checked by Err below
	s.EndRow()
	if err := b.EndSheet(0, s); err != nil {
		t.Fatal(err)
	}
	if s, err = b.Sheet(1, wide, 3); err != nil {
		t.Fatal(err)
	}
	for r := 0; r < 3; r++ {
		s.StartRow()
		for c := 0; c < wide; c++ {
			if r == 0 {
				s.Text(0, fmt.Sprintf("Column%d", c+1)) //nolint:errcheck // checked by Err below
			} else {
				s.Integer(0, r*100+c, false)
			}
		}
		s.EndRow()
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	if err := b.EndSheet(1, s); err != nil {
		t.Fatal(err)
	}
	if err := b.Table(0, wide, 2); err != nil {
		t.Fatal(err)
	}
	if err := b.Close("Golden <workbook>", time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
}

// Each part of a small workbook is byte for byte its golden file (refresh
// them with go test -update after a deliberate change), and excelize reads
// the cells back as written.
func TestEachPartMatchesItsGoldenFile(t *testing.T) {
	var buf bytes.Buffer
	writeGolden(t, &buf)
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, zf := range zr.File {
		names = append(names, zf.Name)
		r, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatalf("%s: %v", zf.Name, err) // also checks the CRC and sizes of the data descriptor
		}
		golden := filepath.Join("testdata", strings.ReplaceAll(zf.Name, "/", "_")+".golden")
		if *update {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%s: %v (run go test -update to create it)", zf.Name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s:\n got  %s\n want %s", zf.Name, golden, got, want)
		}
	}
	order := filepath.Join("testdata", "parts.golden")
	if *update {
		if err := os.WriteFile(order, []byte(strings.Join(names, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	} else if want, err := os.ReadFile(order); err != nil || string(want) != strings.Join(names, "\n")+"\n" {
		t.Errorf("parts in the order\n%s\nwant\n%s (%v)", strings.Join(names, "\n"), want, err)
	}

	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for cell, want := range map[string]string{"Front!A1": "  leading and trailing  ", "Front!B1": "a & b < c > d",
		"Front!C1": `=HYPERLINK("x")`, "Front!D1": "1234.5", "Front!E1": "-0.000123", "Front!I1": "",
		"Rows!AD1": "Column30", "Rows!AD3": "229", "Rows!AA2": "126"} {
		sheet, ref, _ := strings.Cut(cell, "!")
		got, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
		if err != nil || got != want {
			t.Errorf("%s = %q (%v), want %q", cell, got, err, want)
		}
	}
	if formula, _ := f.GetCellFormula("Front", "C1"); formula != "" {
		t.Errorf("text from the data became the formula %q", formula)
	}
	for _, zf := range zr.File {
		if got := zf.Modified.Format(time.DateTime); got != "2026-06-15 00:00:00" {
			t.Errorf("%s is dated %s, want the workbook's stamp", zf.Name, got)
		}
	}
}

// The same input gives the same bytes.
func TestTheSameWorkbookTwiceIsTheSameBytes(t *testing.T) {
	var a, b bytes.Buffer
	writeGolden(t, &a)
	writeGolden(t, &b)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("two writes of one workbook differ (%d and %d bytes)", a.Len(), b.Len())
	}
}
