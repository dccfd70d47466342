package reports_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/internal/testkit/benchmem"
	"github.com/openbilling/billing/internal/testkit/xlsxbaseline"
	"github.com/openbilling/billing/reports"
)

// benchLines is the size of the benchmark invoice: past one sheet's rows.
const benchLines = 1_100_000

// BenchmarkReconciliation writes one invoice of 1,100,000 lines, and, in the
// same run, a bare excelize StreamWriter writing as many rows of as many
// columns: the limit this writer is measured against. Each reports seconds,
// peak Go heap and file size. Run it with `make bench-xlsx`.
func BenchmarkReconciliation(b *testing.B) {
	inv, base := jpyInvoice()
	inv.Currency, inv.LineCount = "USD", benchLines
	inv.Subtotal, inv.Tax, inv.Total = decimal.Zero, decimal.Zero, decimal.Zero
	lines := func(yield func(*reports.Line) error) error {
		l := base[2]
		for i := 0; i < benchLines; i++ {
			l.OrderID = fmt.Sprintf("O%07d", i)
			l.ActivityDate = calendar.MustParseDate("2026-06-01") + calendar.Date(i%30)
			if err := yield(&l); err != nil {
				return err
			}
		}
		return nil
	}
	// The invoice's totals must match its lines for the Control sheet.
	l := base[2]
	n := decimal.NewFromInt(benchLines)
	inv.Subtotal, inv.Tax, inv.Total = l.Amount.Mul(n), l.Tax.Mul(n), l.Total.Mul(n)

	b.Run("ours", func(b *testing.B) {
		measure(b, func(w io.Writer) error { return reports.WriteReconciliation(w, inv, lines, reports.Options{}) })
	})
	b.Run("bare-streamwriter", func(b *testing.B) {
		measure(b, func(w io.Writer) error { return xlsxbaseline.Write(w, benchLines, len(reports.LineItemColumns)) })
	})
}

func measure(b *testing.B, write func(io.Writer) error) {
	path := filepath.Join(b.TempDir(), "out.xlsx")
	var peak uint64
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		runtime.GC()
		stop := benchmem.SamplePeakHeap(&peak)
		start := time.Now()
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		if err := write(f); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		stop()
	}
	info, _ := os.Stat(path)
	b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/file")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(info.Size())/(1<<20), "file-MiB")
}

// BenchmarkPDF writes the PDF invoice of 100,000 lines (it itemises the
// first MaxPDFLines) and of one small invoice: seconds, peak Go heap and
// file size. Run it with `make bench-xlsx`.
func BenchmarkPDF(b *testing.B) {
	inv, base := jpyInvoice()
	const many = 100_000
	inv.Currency, inv.LineCount = "USD", many
	lines := func(yield func(*reports.Line) error) error {
		l := base[2]
		for i := 0; i < many; i++ {
			l.OrderID = fmt.Sprintf("O%07d", i)
			if err := yield(&l); err != nil {
				return err
			}
		}
		return nil
	}
	b.Run("100k-lines", func(b *testing.B) {
		measure(b, func(w io.Writer) error {
			return reports.WritePDF(w, inv, lines, reports.PDFOptions{Issuer: "Openbilling Ltd"})
		})
	})
	small, smallLines := jpyInvoice()
	b.Run("3-lines", func(b *testing.B) {
		measure(b, func(w io.Writer) error {
			return reports.WritePDF(w, small, source(smallLines), reports.PDFOptions{Issuer: "Openbilling Ltd"})
		})
	})
}
