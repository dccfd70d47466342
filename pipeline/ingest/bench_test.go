package ingest_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openbilling/billing/internal/pgtest"
	"github.com/openbilling/billing/pipeline/ingest"
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
				stop := samplePeakHeap(&peak)
				b.StartTimer()
				start := time.Now()
				im := &ingest.Importer{DB: db, Log: discard}
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
			if rss, ok := peakRSS(); ok {
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

// samplePeakHeap records the largest heap in use until the returned stop is called.
func samplePeakHeap(peak *uint64) (stop func()) {
	var done atomic.Bool
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var m runtime.MemStats
		for !done.Load() {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > *peak {
				*peak = m.HeapInuse
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	return func() { done.Store(true); <-finished }
}

// peakRSS reads the process's peak resident set size from /proc (Linux).
func peakRSS() (int64, bool) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
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
