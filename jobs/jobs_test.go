package jobs_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/openbilling/billing/internal/testkit/pgtest"
	"github.com/openbilling/billing/invoices"
	"github.com/openbilling/billing/jobs"
	"github.com/openbilling/billing/pipeline"
	"github.com/openbilling/billing/pipeline/ingest"
	"github.com/openbilling/billing/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func loadExamples(t *testing.T, db *sqlx.DB) {
	t.Helper()
	im := &ingest.Importer{DB: store.New(db), Log: quiet}
	for _, k := range ingest.Kinds {
		if _, err := im.ImportFile(context.Background(), k, filepath.Join("..", "examples", k.Name+".csv")); err != nil {
			t.Fatal(err)
		}
	}
}

func issuedList(t *testing.T, db *sqlx.DB) string {
	t.Helper()
	list, err := invoices.ListInvoices(context.Background(), store.New(db), "")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, inv := range list {
		out = append(out, fmt.Sprintf("%s %s %s %s %s–%s issued %s total %s", inv.Number, inv.AccountID, inv.Type, inv.Currency,
			inv.WindowStart, inv.WindowEnd, inv.IssueDate, inv.Total))
	}
	return strings.Join(out, "\n")
}

func mustJobs(t *testing.T, nightly, closeSpec string) []*jobs.Job {
	t.Helper()
	list, err := jobs.ParseJobs(nightly, closeSpec)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// A simulated June and July, an hour at a time on an injected clock: every
// window closes on its own closing day, by the close job at 00:05 UTC.
func TestASimulatedMonthClosesEachWindowOnItsDay(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.NewDB(t)
	loadExamples(t, db)
	p := &pipeline.Pipeline{DB: store.New(db), Log: quiet}
	s := &jobs.Scheduler{Runner: p, Jobs: mustJobs(t, "0 2 * * *", "5 0 * * *"), Log: quiet, Metrics: jobs.NewMetrics()}
	ctx := context.Background()
	last := at("2026-06-01T00:00:00Z")
	for now := last.Add(time.Hour); !now.After(at("2026-08-09T00:00:00Z")); now = now.Add(time.Hour) {
		s.Tick(ctx, last, now)
		last = now
	}
	var late []string
	if err := db.Select(&late, `SELECT i.number || ' issued ' || i.issue_date || ' closed by a run as of ' || r.as_of
		FROM invoices i JOIN pipeline_runs r ON r.run_id = i.run_id
		WHERE (r.as_of AT TIME ZONE 'UTC')::date <> i.issue_date OR r.job <> 'close'`); err != nil {
		t.Fatal(err)
	}
	if len(late) > 0 {
		t.Errorf("invoices not closed on their day by the close job:\n%s", strings.Join(late, "\n"))
	}
	var runs []string
	if err := db.Select(&runs, `SELECT job || ' ' || count(*) FROM pipeline_runs GROUP BY job ORDER BY job`); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(runs, ", "); got != "close 69, nightly 69" {
		t.Errorf("runs: %s, want one close and one nightly run a day", got)
	}
	want := expectedThroughAugust8
	if got := issuedList(t, db); got != want {
		t.Errorf("invoices:\n%s\nwant:\n%s", got, want)
	}
}

const expectedThroughAugust8 = `INV-2026-000001 P1 new USD 2026-05-15–2026-06-14 issued 2026-06-15 total 24.00
INV-2026-000002 U1 new USD 2026-06-01–2026-06-30 issued 2026-07-01 total 92.35
INV-2026-000003 M1 onetime EUR 2026-06-01–2026-06-30 issued 2026-07-08 total 32.40
INV-2026-000004 M1 onetime GBP 2026-06-01–2026-06-30 issued 2026-07-08 total 19.20
INV-2026-000005 M1 onetime USD 2026-06-01–2026-06-30 issued 2026-07-08 total 168.00
INV-2026-000006 P1 recurring USD 2026-06-15–2026-07-14 issued 2026-07-15 total 24.00
INV-2026-000007 U1 recurring USD 2026-07-01–2026-07-31 issued 2026-08-01 total 0.75
INV-2026-000008 M1 onetime EUR 2026-07-01–2026-07-31 issued 2026-08-08 total 32.40
INV-2026-000009 M1 onetime GBP 2026-07-01–2026-07-31 issued 2026-08-08 total 19.20
INV-2026-000010 M1 onetime USD 2026-07-01–2026-07-31 issued 2026-08-08 total 12.00`

// serve runs a daemon until its start-up catch-up is done, then stops it.
func serve(t *testing.T, d *jobs.Daemon) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d.Ready = func(string) { cancel() }
	if err := d.Serve(ctx); err != nil {
		t.Fatal(err)
	}
}

func daemon(db *sqlx.DB, now time.Time) *jobs.Daemon {
	p := &pipeline.Pipeline{DB: store.New(db), Log: quiet}
	list, _ := jobs.ParseJobs("0 2 * * *", "5 0 * * *")
	return &jobs.Daemon{
		Scheduler:       &jobs.Scheduler{Runner: p, Jobs: list, Log: quiet, Metrics: jobs.NewMetrics()},
		Ping:            db.PingContext,
		ShutdownTimeout: 10 * time.Second,
		Now:             func() time.Time { return now },
	}
}

// Windows due since long ago are all closed when the daemon starts, oldest
// first, with the invoices billing run would have issued.
func TestStartingTheDaemonCatchesUpLikeBillingRun(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.NewDB(t)
	loadExamples(t, db)
	serve(t, daemon(db, at("2026-08-08T09:00:00Z")))
	if got := issuedList(t, db); got != expectedThroughAugust8 {
		t.Errorf("after start-up:\n%s\nwant:\n%s", got, expectedThroughAugust8)
	}
	ref, _ := pgtest.NewDB(t)
	loadExamples(t, ref)
	if _, err := (&pipeline.Pipeline{DB: store.New(ref), Log: quiet}).Run(context.Background(), at("2026-08-08T09:00:00Z"), pipeline.AllStages()); err != nil {
		t.Fatal(err)
	}
	if got, want := issuedList(t, db), issuedList(t, ref); got != want {
		t.Errorf("daemon:\n%s\nbilling run:\n%s", got, want)
	}
}

func TestTwoDaemonsOnOneDatabaseCloseEachWindowOnce(t *testing.T) {
	t.Parallel()
	db, url := pgtest.NewDB(t)
	loadExamples(t, db)
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		other, err := sqlx.Open("postgres", url) // a pool of its own, as another process would have
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			serve(t, daemon(other, at("2026-08-08T09:00:00Z")))
		}()
	}
	wg.Wait()
	if got := issuedList(t, db); got != expectedThroughAugust8 {
		t.Errorf("two daemons:\n%s\nwant:\n%s", got, expectedThroughAugust8)
	}
}

// panicking is a runner whose every run panics.
type panicking struct{ runs int }

func (p *panicking) RunJob(context.Context, string, time.Time, pipeline.Stages) (*pipeline.Report, error) {
	p.runs++
	panic("boom")
}

func TestAPanicInAJobIsRecordedAndTheSchedulerCarriesOn(t *testing.T) {
	t.Parallel()
	r := &panicking{}
	m := jobs.NewMetrics()
	s := &jobs.Scheduler{Runner: r, Jobs: mustJobs(t, "", "@every 1h"), Log: quiet, Metrics: m}
	start := at("2026-06-01T00:00:00Z")
	s.Tick(context.Background(), start, start.Add(time.Hour))
	s.Tick(context.Background(), start.Add(time.Hour), start.Add(2*time.Hour))
	rec := httptest.NewRecorder()
	m.Handler(nil).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if r.runs != 2 || !strings.Contains(rec.Body.String(), `billing_job_runs_total{job="close",outcome="failed"} 2`) {
		t.Errorf("runs %d, metrics:\n%s", r.runs, rec.Body.String())
	}
}

// explodingEmitter panics inside a pipeline run.
type explodingEmitter struct{}

func (explodingEmitter) Emit(context.Context, *store.DB) (int, error) { panic("disk on fire") }

func TestAPanicInsideARunIsRecordedAsAFailedRun(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.NewDB(t)
	loadExamples(t, db)
	p := &pipeline.Pipeline{DB: store.New(db), Log: quiet, Emitter: explodingEmitter{}}
	s := &jobs.Scheduler{Runner: p, Jobs: mustJobs(t, "", "5 0 * * *"), Log: quiet}
	s.CatchUp(context.Background(), at("2026-07-02T00:00:00Z"))
	var status, message string
	if err := db.QueryRow(`SELECT status, error FROM pipeline_runs`).Scan(&status, &message); err != nil {
		t.Fatal(err)
	}
	if status != "failed" || message != "panic: disk on fire" {
		t.Errorf("run recorded as %s: %s", status, message)
	}
	if got := issuedList(t, db); !strings.Contains(got, "INV-2026-000002 U1 new") {
		t.Errorf("the windows closed before the panic are kept:\n%s", got)
	}
}

func TestInvalidSchedulesAreRefusedAtStart(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ nightly, close, want string }{
		{"0 2 * *", "5 0 * * *", `schedule_nightly: "0 2 * *" is not a cron expression`},
		{"0 2 * * *", "61 0 * * *", `schedule_close: "61 0 * * *" is not a cron expression`},
		{"off", "", "no job is scheduled"},
	} {
		_, err := jobs.ParseJobs(tc.nightly, tc.close)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseJobs(%q, %q) = %v, want %q", tc.nightly, tc.close, err, tc.want)
		}
	}
	list := mustJobs(t, "0 2 * * *", "5 0 * * *")
	if next := list[1].Next(at("2026-06-30T23:00:00+02:00")); next != at("2026-06-30T00:05:00Z").Add(24*time.Hour) {
		t.Errorf("next close after 2026-06-30T21:00Z is %s, want 2026-07-01T00:05Z (cron runs in UTC)", next)
	}
}

func TestMetricsAndHealthEndpoints(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.NewDB(t)
	loadExamples(t, db)
	d := daemon(db, at("2026-07-02T00:00:00Z"))
	d.MetricsAddr = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	bodies := map[string]string{}
	d.Ready = func(addr string) {
		defer cancel()
		for _, path := range []string{"/metrics", "/healthz"} {
			resp, err := http.Get("http://" + addr + path)
			if err != nil {
				t.Error(err)
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			bodies[path] = fmt.Sprintf("%d %s", resp.StatusCode, b)
		}
	}
	if err := d.Serve(ctx); err != nil {
		t.Fatal(err)
	}
	if bodies["/healthz"] != "200 ok\n" {
		t.Errorf("/healthz: %q", bodies["/healthz"])
	}
	for _, want := range []string{
		`billing_job_runs_total{job="close",outcome="succeeded"} 1`,
		"billing_invoices_issued_total 2\n",
		"billing_windows_closed_total 2\n",
		`billing_job_last_success_timestamp_seconds{job="close"} `,
		"# TYPE billing_invoices_issued_total counter",
		"\ngo_goroutines ",                 // the Go runtime's metrics
		"\nprocess_resident_memory_bytes ", // and the process's
	} {
		if !strings.Contains(bodies["/metrics"], want) {
			t.Errorf("/metrics lacks %q:\n%s", want, bodies["/metrics"])
		}
	}
}
