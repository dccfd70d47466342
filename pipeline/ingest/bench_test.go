package ingest_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/openbilling/billing/internal/testkit/benchmem"
	"github.com/openbilling/billing/internal/testkit/pgtest"
	"github.com/openbilling/billing/pipeline/ingest"
	"github.com/openbilling/billing/store"
)

// BenchmarkImportUsage imports usage files of growing size into a fresh
// database and reports rows per second and the peak Go heap, which must not
// grow with the file. Run it with `make bench-import`.
func BenchmarkImportUsage(b *testing.B) {
	for _, rows := range []int{250_000, 1_000_000, 2_000_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			path := writeUsageFile(b, rows)
			info, _ := os.Stat(path)
			var elapsed time.Duration
			var peak uint64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				db, _ := pgtest.NewDB(b)
				runtime.GC()
				stop := benchmem.SamplePeakHeap(&peak)
				b.StartTimer()
				start := time.Now()
				im := &ingest.Importer{DB: store.New(db), Log: discard}
				res, err := im.ImportFile(context.Background(), ingestKind(b, "usage"), path)
				elapsed += time.Since(start)
				stop()
				if err != nil {
					b.Fatal(err)
				}
				if res.Added != int64(rows) {
					b.Fatalf("added %d rows, want %d", res.Added, rows)
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/elapsed.Seconds(), "rows/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(info.Size())/(1<<20), "file-MiB")
			if rss, ok := benchmem.PeakRSS(); ok {
				b.ReportMetric(float64(rss)/(1<<20), "peak-rss-MiB")
			}
		})
	}
}

func ingestKind(b *testing.B, name string) *ingest.Kind {
	k, err := ingest.KindNamed(name)
	if err != nil {
		b.Fatal(err)
	}
	return k
}

func writeUsageFile(b *testing.B, rows int) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "usage.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "event_id,subscription_id,quantity,occurred_at")
	base := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < rows; i++ {
		at := base.Add(time.Duration(i%(30*24*3600)) * time.Second)
		fmt.Fprintf(w, "evt-%09d,sub-%06d,%d.%02d,%s\n", i, i%100_000, i%500, i%100, at.Format(time.RFC3339))
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}
