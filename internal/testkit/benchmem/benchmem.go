// Package benchmem measures the memory of benchmarks: the peak Go heap
// while a piece of work runs and the process's peak resident set.
package benchmem

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// SamplePeakHeap records in peak the largest heap in use, sampled every
// 20 ms, until the returned stop is called.
func SamplePeakHeap(peak *uint64) (stop func()) {
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

// PeakRSS reads the process's peak resident set size in bytes (Linux).
func PeakRSS() (int64, bool) { return statusBytes("self", "VmHWM:") }

// RSS reads another process's resident set size now, in bytes (Linux).
func RSS(pid int) (int64, bool) { return statusBytes(strconv.Itoa(pid), "VmRSS:") }

// statusBytes reads a field in kB of /proc/PID/status, in bytes.
func statusBytes(pid, field string) (int64, bool) {
	data, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}
