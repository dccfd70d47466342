package reports_test

import (
	"bytes"
	"testing"

	"github.com/openbilling/billing/reports"
)

// BenchmarkSmallInvoice writes both files of a three-line invoice: the cost
// that dominates a run with many small invoices.
func BenchmarkSmallInvoice(b *testing.B) {
	inv, lines := jpyInvoice()
	var buf bytes.Buffer
	for i := 0; i < b.N; i++ {
		buf.Reset()
		if err := reports.WriteReconciliation(&buf, inv, source(lines), reports.Options{}); err != nil {
			b.Fatal(err)
		}
		if err := reports.WriteDocument(&buf, inv, source(lines), reports.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "invoices/s")
}

// BenchmarkSmallInvoicePDF writes the PDF of a three-line invoice: the
// third file of every invoice when the emit stage writes PDFs.
func BenchmarkSmallInvoicePDF(b *testing.B) {
	inv, lines := jpyInvoice()
	var buf bytes.Buffer
	for i := 0; i < b.N; i++ {
		buf.Reset()
		if err := reports.WritePDF(&buf, inv, source(lines), reports.PDFOptions{Issuer: "Example Ltd"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "invoices/s")
}
