package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/openbilling/billing/pipeline"
	"github.com/openbilling/billing/pipeline/units"
)

// Metrics counts what the daemon's jobs did, on a registry of its own (with
// the Go runtime's and the process's metrics), served on /metrics. A nil
// *Metrics counts nothing.
type Metrics struct {
	registry     *prometheus.Registry
	lastSuccess  *prometheus.GaugeVec
	lastDuration *prometheus.GaugeVec
	runs         *prometheus.CounterVec
	windows      prometheus.Counter
	invoices     prometheus.Counter
	lines        prometheus.Counter
	files        prometheus.Counter
	rated        prometheus.Counter
	units        *prometheus.CounterVec
	unitSeconds  *prometheus.HistogramVec
	deliveries   *prometheus.CounterVec
	inFlight     prometheus.Gauge
}

// NewMetrics returns empty metrics on a new registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "billing_job_last_success_timestamp_seconds",
			Help: "When each job last succeeded, in Unix seconds."}, []string{"job"}),
		lastDuration: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "billing_job_last_duration_seconds",
			Help: "How long each job's last run took."}, []string{"job"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "billing_job_runs_total",
			Help: "Job runs by outcome: succeeded, failed or stopped."}, []string{"job", "outcome"}),
		windows:  prometheus.NewCounter(prometheus.CounterOpts{Name: "billing_windows_closed_total", Help: "Billing windows closed."}),
		invoices: prometheus.NewCounter(prometheus.CounterOpts{Name: "billing_invoices_issued_total", Help: "Invoices issued."}),
		lines:    prometheus.NewCounter(prometheus.CounterOpts{Name: "billing_invoice_lines_written_total", Help: "Invoice lines written."}),
		files:    prometheus.NewCounter(prometheus.CounterOpts{Name: "billing_files_written_total", Help: "Invoice files written."}),
		rated: prometheus.NewCounter(prometheus.CounterOpts{Name: "billing_lines_rated_total",
			Help: "Charge lines rated in open windows by the nightly job."}),
		units: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "billing_units_total",
			Help: "Units of runs' work this process worked, by stage and outcome: done or failed."}, []string{"stage", "outcome"}),
		unitSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "billing_unit_seconds",
			Help: "How long the units of runs' work took, by stage.", Buckets: prometheus.ExponentialBuckets(0.05, 2, 12)}, []string{"stage"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "billing_webhook_attempts_total",
			Help: "Webhook delivery attempts this process made, by outcome: delivered, retried, failed or gone (410)."}, []string{"outcome"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "billing_webhook_attempts_in_flight",
			Help: "Webhook delivery attempts this process is making now."}),
	}
	m.registry.MustRegister(m.lastSuccess, m.lastDuration, m.runs, m.windows, m.invoices, m.lines, m.files, m.rated, m.units, m.unitSeconds,
		m.deliveries, m.inFlight,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *Metrics) observe(job string, d time.Duration, rep *pipeline.Report, err error) {
	if m == nil {
		return
	}
	outcome := "succeeded"
	switch {
	case errors.Is(err, pipeline.ErrStopped):
		outcome = "stopped"
	case err != nil:
		outcome = "failed"
	default:
		m.lastSuccess.WithLabelValues(job).SetToCurrentTime()
	}
	m.runs.WithLabelValues(job, outcome).Inc()
	m.lastDuration.WithLabelValues(job).Set(d.Seconds())
	if rep != nil {
		m.windows.Add(float64(rep.WindowsClosed))
		m.invoices.Add(float64(rep.Invoices))
		m.lines.Add(float64(rep.Lines))
		m.files.Add(float64(rep.Files))
		m.rated.Add(float64(rep.RatedLines))
	}
}

// ObserveUnit counts a unit of a run's work this process worked
// (pipeline.Pipeline's OnUnit).
func (m *Metrics) ObserveUnit(u units.Unit, d time.Duration, err error) {
	if m == nil {
		return
	}
	outcome := "done"
	if err != nil {
		outcome = "failed"
	}
	m.units.WithLabelValues(u.Stage, outcome).Inc()
	m.unitSeconds.WithLabelValues(u.Stage).Observe(d.Seconds())
}

// ObserveWebhook counts a webhook attempt by outcome (webhooks.Service's
// Observe).
func (m *Metrics) ObserveWebhook(outcome string, _ time.Duration) {
	if m != nil {
		m.deliveries.WithLabelValues(outcome).Inc()
	}
}

// WebhookInFlight follows the attempts being made (queue.WebhookConfig's
// InFlight).
func (m *Metrics) WebhookInFlight(delta int) {
	if m != nil {
		m.inFlight.Add(float64(delta))
	}
}

// WatchWebhookLag serves the age of the oldest event not yet delivered,
// read from the database at each scrape.
func (m *Metrics) WatchWebhookLag(lag func(context.Context) (time.Duration, error), log *slog.Logger) {
	if m == nil {
		return
	}
	m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "billing_webhook_lag_seconds",
		Help: "The age of the oldest event not yet delivered to an endpoint that takes it; 0 when none waits."}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		d, err := lag(ctx)
		if err != nil {
			log.Warn("webhook_lag", "error", err.Error())
			return -1
		}
		return d.Seconds()
	}))
}

// Handler serves /metrics, and /healthz: 200 while ping reaches the
// database, 503 with the reason otherwise.
func (m *Metrics) Handler(ping func(context.Context) error) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
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

// Serve serves Handler on addr until stop, which lets the requests at hand
// finish within five seconds; addr is where it listens (the port chosen
// when addr asks for any).
func (m *Metrics) Serve(addr string, ping func(context.Context) error, log *slog.Logger) (stop func(), listening string, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", fmt.Errorf("serving metrics on %s: %w", addr, err)
	}
	server := &http.Server{Handler: m.Handler(ping), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics_server_failed", "error", err.Error())
		}
	}()
	return func() {
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = server.Shutdown(shutdown)
	}, ln.Addr().String(), nil
}

// Registerer is where other parts of the process (the portal) add their
// metrics, to be served on the same /metrics.
func (m *Metrics) Registerer() prometheus.Registerer { return m.registry }
