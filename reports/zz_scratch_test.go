package reports_test

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/openbilling/billing/reports"
)

func TestScratchPDF(t *testing.T) {
	inv, lines := jpyInvoice()
	inv.AccountName = "Kaede 株式会社 Müller y Peña"
	lines[2].CustomerName = "ひらがな Ünïcode"
	lines[2].Detail = "1000 × 0.01 = 10; 9000 × 0.008 = 72"
	var a bytes.Buffer
	if err := reports.WritePDF(&a, inv, source(lines), reports.PDFOptions{Issuer: "Openbilling Ltd"}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile("/tmp/scratch/inv.pdf", a.Bytes(), 0o644)
}

func BenchmarkPDFSmall(b *testing.B) {
	inv, lines := jpyInvoice()
	for b.Loop() {
		if err := reports.WritePDF(io.Discard, inv, source(lines), reports.PDFOptions{Issuer: "x"}); err != nil {
			b.Fatal(err)
		}
	}
}
