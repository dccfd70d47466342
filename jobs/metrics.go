package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/openbilling/billing/pipeline"
)

// Metrics counts what the daemon's jobs did, for /metrics in Prometheus's
// text format. A nil *Metrics counts nothing.
type Metrics struct {
	mu           sync.Mutex
	lastSuccess  map[string]time.Time
	lastDuration map[string]time.Duration
	runs         map[[2]string]int // job, outcome
	windows      int
	invoices     int
	lines        int
	files        int
	rated        int
}

// NewMetrics returns empty metrics.
func NewMetrics() *Metrics {
	return &Metrics{lastSuccess: map[string]time.Time{}, lastDuration: map[string]time.Duration{}, runs: map[[2]string]int{}}
}

func (m *Metrics) observe(job string, d time.Duration, rep *pipeline.Report, err error) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	outcome := "succeeded"
	switch {
	case errors.Is(err, pipeline.ErrStopped):
		outcome = "stopped"
	case err != nil:
		outcome = "failed"
	default:
		m.lastSuccess[job] = time.Now()
	}
	m.runs[[2]string{job, outcome}]++
	m.lastDuration[job] = d
	if rep != nil {
		m.windows += rep.WindowsClosed
		m.invoices += rep.Invoices
		m.lines += rep.Lines
		m.files += rep.Files
		m.rated += rep.RatedLines
	}
}

// WriteTo writes the metrics in Prometheus's text exposition format.
func (m *Metrics) WriteTo(w io.Writer) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var b []byte
	metric := func(name, kind, help string) {
		b = fmt.Appendf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, kind)
	}
	metric("billing_job_last_success_timestamp_seconds", "gauge", "When each job last succeeded, in Unix seconds.")
	for _, job := range sortedKeys(m.lastSuccess) {
		b = fmt.Appendf(b, "billing_job_last_success_timestamp_seconds{job=%q} %d\n", job, m.lastSuccess[job].Unix())
	}
	metric("billing_job_last_duration_seconds", "gauge", "How long each job's last run took.")
	for _, job := range sortedKeys(m.lastDuration) {
		b = fmt.Appendf(b, "billing_job_last_duration_seconds{job=%q} %.3f\n", job, m.lastDuration[job].Seconds())
	}
	metric("billing_job_runs_total", "counter", "Job runs by outcome: succeeded, failed or stopped.")
	keys := make([][2]string, 0, len(m.runs))
	for k := range m.runs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	for _, k := range keys {
		b = fmt.Appendf(b, "billing_job_runs_total{job=%q,outcome=%q} %d\n", k[0], k[1], m.runs[k])
	}
	for _, c := range []struct {
		name, help string
		v          int
	}{
		{"billing_windows_closed_total", "Billing windows closed.", m.windows},
		{"billing_invoices_issued_total", "Invoices issued.", m.invoices},
		{"billing_invoice_lines_written_total", "Invoice lines written.", m.lines},
		{"billing_files_written_total", "Invoice files written.", m.files},
		{"billing_lines_rated_total", "Charge lines rated in open windows by the nightly job.", m.rated},
	} {
		metric(c.name, "counter", c.help)
		b = fmt.Appendf(b, "%s %d\n", c.name, c.v)
	}
	n, err := w.Write(b)
	return int64(n), err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Handler serves /metrics, and /healthz: 200 while ping reaches the
// database, 503 with the reason otherwise.
func (m *Metrics) Handler(ping func(context.Context) error) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_, _ = m.WriteTo(w)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := ping(ctx); err != nil {
			http.Error(w, "database unreachable: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ok\n")
	})
	return mux
}
