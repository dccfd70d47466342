package reports_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openbilling/billing/reports"
)

// pdfText renders a PDF and reads its text back with poppler's pdftotext.
func pdfText(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "invoice.pdf")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (apt-get install -y poppler-utils): %v", err)
	}
	return string(out)
}

// renderTwice renders an invoice's PDF twice, fails unless both are the
// same bytes, and returns them.
func renderTwice(t *testing.T, inv reports.Invoice, lines []reports.Line) []byte {
	t.Helper()
	var a, b bytes.Buffer
	for _, buf := range []*bytes.Buffer{&a, &b} {
		if err := reports.WritePDF(buf, inv, source(lines), reports.PDFOptions{Issuer: "Openbilling Ltd"}); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two renders of one invoice differ")
	}
	return a.Bytes()
}

// The PDF invoice holds the header, the summary, the total and every
// charge, with names in any script, and renders to the same bytes twice.
func TestThePDFInvoiceReadsBack(t *testing.T) {
	t.Parallel()
	inv, lines := jpyInvoice()
	inv.AccountName = "Kaede 株式会社 Müller y Peña"
	lines[2].CustomerName = "ひらがな Ünïcode"
	lines[2].Detail = "1000 × 0.01 = 10"
	a := renderTwice(t, inv, lines)
	text := pdfText(t, a)
	for _, want := range []string{"Openbilling Ltd", "Invoice", "INV-2026-000042", "2026-06-15", "Due date", "2026-07-15", "Kaede 株式会社 Müller y Peña",
		"2026-05-15 – 2026-06-14", "JPY", "Total due", "3,193 JPY", "Tax (10%)", "290", "ひらがな Ünïcode", "2026-06-12 – 2026-07-10",
		"29/30", "Tiers: 1000 × 0.01 = 10", "Page 1 of 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, text)
		}
	}
}

// A PDF itemises MaxPDFLines lines and says where the others are.
func TestALargePDFSaysWhereTheRestOfTheLinesAre(t *testing.T) {
	t.Parallel()
	inv, base := jpyInvoice()
	n := reports.MaxPDFLines + 7
	inv.LineCount = n
	lines := func(yield func(*reports.Line) error) error {
		for i := 0; i < n; i++ {
			l := base[0]
			if err := yield(&l); err != nil {
				return err
			}
		}
		return nil
	}
	var buf bytes.Buffer
	if err := reports.WritePDF(&buf, inv, lines, reports.PDFOptions{Issuer: "x"}); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, buf.Bytes())
	if !strings.Contains(text, "7 more charges are itemised in the invoice spreadsheet, which holds all 5007.") {
		t.Errorf("the last page:\n%s", text[max(0, len(text)-600):])
	}
	if got := strings.Count(text, "2026-06-11 – 2026-07-10"); got != reports.MaxPDFLines {
		t.Errorf("%d lines itemised, want %d", got, reports.MaxPDFLines)
	}
}

// A document in the standard fonts' characters embeds no font: it names
// Helvetica and Helvetica-Bold, reads back whole, counts its pages and
// gives the same bytes twice; a name outside them embeds its fonts.
func TestAPDFInTheStandardFontsEmbedsNone(t *testing.T) {
	t.Parallel()
	inv, base := jpyInvoice()
	inv.AccountName = "Müller & Peña (Zürich) \\ Ltd"
	inv.LineCount = 130
	var lines []reports.Line
	for len(lines) < inv.LineCount {
		lines = append(lines, base...)
	}
	lines = lines[:inv.LineCount]
	lines[4].Detail = "1000 × 0.01 = 10 €"
	a := renderTwice(t, inv, lines)
	path := filepath.Join(t.TempDir(), "invoice.pdf")
	if err := os.WriteFile(path, a, 0o644); err != nil {
		t.Fatal(err)
	}
	fonts, err := exec.Command("pdffonts", path).Output()
	if err != nil {
		t.Fatalf("pdffonts (apt-get install -y poppler-utils): %v", err)
	}
	rows := strings.Split(strings.TrimSpace(string(fonts)), "\n")[2:]
	if len(rows) != 2 || !strings.HasPrefix(rows[0], "Helvetica ") || !strings.HasPrefix(rows[1], "Helvetica-Bold ") ||
		strings.Fields(rows[0])[4] != "no" || strings.Fields(rows[1])[4] != "no" {
		t.Errorf("fonts:\n%s", fonts)
	}
	text := pdfText(t, a)
	for _, want := range []string{"Openbilling Ltd", "Invoice", "INV-2026-000042", "Due date", "2026-07-15", "Müller & Peña (Zürich) \\ Ltd",
		"2026-05-15 – 2026-06-14", "Total due", "3,193 JPY", "Tax (10%)", "Tiers: 1000 × 0.01 = 10 €", "+Plus & Co",
		"Page 1 of 4", "Page 4 of 4"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, text)
		}
	}
	if n := strings.Count(text, "29/30"); n != 86 {
		t.Errorf("%d prorated rows read back, want 86", n)
	}

	var c bytes.Buffer
	inv.AccountName = "Kaede 株式会社"
	if err := reports.WritePDF(&c, inv, source(lines), reports.PDFOptions{Issuer: "Openbilling Ltd"}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(c.Bytes(), []byte("FontFile2")) || !strings.Contains(pdfText(t, c.Bytes()), "Kaede 株式会社") {
		t.Error("a name outside the standard fonts did not embed its fonts")
	}
}
