package reports_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/reports"
)

// A decimal of at most 15 significant digits is written as its own digits,
// and a double read from those digits prints them back: what Excel shows is
// the exact amount (§5).
func TestFifteenDigitDecimalsRoundTripThroughADouble(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200_000; i++ {
		digits := 1 + r.IntN(15)
		v := r.Int64N(pow10(digits))
		d := decimal.New(v, -int32(r.IntN(13)))
		if r.IntN(2) == 0 {
			d = d.Neg()
		}
		f, _ := strconv.ParseFloat(d.String(), 64)
		if got := strconv.FormatFloat(f, 'f', -1, 64); got != d.String() {
			t.Fatalf("%s reads back as %s", d, got)
		}
	}
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// Text from the data reaches the cell as written, whatever XML makes of it:
// markup characters, white space at the ends, and characters XML cannot
// carry (replaced, as encoding/xml does).
func TestTextCellsKeepTheirCharacters(t *testing.T) {
	t.Parallel()
	inv, lines := jpyInvoice()
	lines[0].CustomerName = "  <b>Tom & \"Jerry\"</b>\t"
	lines[0].ProductName = "Seat\x01\x1fplan\r\nline two ✓"
	f := render(t, func(b *bytes.Buffer) error {
		return reports.WriteReconciliation(b, inv, source(lines), reports.Options{})
	})
	items := rows(t, f, "Line items")
	if got := items[1][3]; got != lines[0].CustomerName {
		t.Errorf("customer name %q", got)
	}
	if got := items[1][9]; got != "Seat\uFFFD\uFFFDplan\r\nline two ✓" {
		t.Errorf("product name %q", got)
	}
}

// A sheet's rows are compressed as they stream once past the writer's
// buffer; every row reads back whole and in order, and the same invoice
// still renders to the same bytes.
func TestALargeSheetStreamsCompressed(t *testing.T) {
	t.Parallel()
	inv, base := jpyInvoice()
	var lines []reports.Line
	for i := 0; i < 3000; i++ {
		l := base[i%3]
		l.OrderID = fmt.Sprintf("O%05d", i)
		lines = append(lines, l)
	}
	inv.LineCount = len(lines)
	var first, second bytes.Buffer
	for _, b := range []*bytes.Buffer{&first, &second} {
		if err := reports.WriteReconciliation(b, inv, source(lines), reports.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Error("two renders differ")
	}
	if first.Len() > 600_000 { // the rows alone are over 3 MB of XML
		t.Errorf("%d bytes: the rows were not compressed", first.Len())
	}
	f := render(t, func(b *bytes.Buffer) error { _, err := b.Write(first.Bytes()); return err })
	items := rows(t, f, "Line items")
	if len(items) != 3001 {
		t.Fatalf("%d rows", len(items))
	}
	for i, r := range items[1:] {
		if r[6] != lines[i].OrderID || r[2] != lines[i].CustomerID || r[11] != lines[i].ChargeStart.String() {
			t.Fatalf("row %d: %q", i+2, r)
		}
	}
	tables, err := f.GetTables("Line items")
	if err != nil || len(tables) != 1 || tables[0].Range != "A1:Y3001" {
		t.Errorf("table %+v %v", tables, err)
	}
}

// The sheets an invoice's lines take come from its recorded line count:
// more lines than recorded is an error, fewer leave the sheets past them
// with their header (and Control shows the difference).
func TestSheetsFollowTheRecordedLineCount(t *testing.T) {
	t.Parallel()
	inv, lines := jpyInvoice()
	inv.LineCount = 2
	err := reports.WriteReconciliation(&bytes.Buffer{}, inv, source(lines), reports.Options{MaxSheetRows: 3})
	if err == nil || !strings.Contains(err.Error(), "invoice INV-2026-000042 has more lines than the 2 it records") {
		t.Errorf("got %v", err)
	}
	inv.LineCount = 5
	f := render(t, func(b *bytes.Buffer) error {
		return reports.WriteReconciliation(b, inv, source(lines), reports.Options{MaxSheetRows: 3})
	})
	if got := strings.Join(f.GetSheetList(), ","); got != "Summary,Line items,Line items (2),Line items (3),Control" {
		t.Fatalf("sheets %s", got)
	}
	if r := rows(t, f, "Line items (3)"); len(r) != 1 || r[0][0] != "AccountId" {
		t.Errorf("empty sheet %q", r)
	}
	if got := rows(t, f, "Control")[4]; strings.Join(got, " ") != "Lines 3 5 -2" {
		t.Errorf("control %q", got)
	}
}
