package jobs_test

import (
	"context"
	"io"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/openbilling/billing/internal/testkit/pgtest"
	"github.com/openbilling/billing/internal/testkit/workload"
	"github.com/openbilling/billing/jobs"
	"github.com/openbilling/billing/pipeline"
	"github.com/openbilling/billing/pipeline/ingest"
	"github.com/openbilling/billing/store"
)

func loadWorkload(t *testing.T, db *sqlx.DB, files map[string]string) {
	t.Helper()
	im := &ingest.Importer{DB: store.New(db), Log: quiet}
	for _, kind := range workload.Kinds {
		content, ok := files[kind]
		if !ok {
			continue
		}
		k, _ := ingest.KindNamed(kind)
		if _, err := im.Import(context.Background(), k, kind+".csv", func() (io.ReadCloser, error) {
			return io.NopCloser(strings.NewReader(content)), nil
		}); err != nil {
			t.Fatal(err)
		}
	}
}

func count(t *testing.T, db *sqlx.DB, query string) int {
	t.Helper()
	var n int
	if err := db.Get(&n, query); err != nil {
		t.Fatal(err)
	}
	return n
}

// The database restarts while the daemon closes windows: the run in
// progress fails, the next firing carries on, and every window ends with
// exactly the invoices of an uninterrupted run.
func TestADatabaseRestartMidRunLeavesOneInvoicePerWindow(t *testing.T) {
	t.Parallel()
	data := workload.ManyAccounts(80)
	ref, _ := pgtest.NewDB(t)
	loadWorkload(t, ref, data)
	asOf := at(workload.AsOf)
	if _, err := (&pipeline.Pipeline{DB: store.New(ref), Log: quiet}).Run(context.Background(), asOf, pipeline.AllStages()); err != nil {
		t.Fatal(err)
	}
	want := issuedList(t, ref)
	total := strings.Count(want, "\n") + 1

	// A server of the test's own, to restart.
	dir, err := os.MkdirTemp("", "billing-restart-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	out, err := exec.Command(pgtest.Script(), "start", dir).Output()
	if err != nil {
		t.Fatalf("starting a server: %v", err)
	}
	defer exec.Command(pgtest.Script(), "stop", dir).Run() //nolint:errcheck
	url := strings.TrimSpace(string(out))
	ctx := context.Background()
	db, err := sqlx.ConnectContext(ctx, "postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := store.Migrate(ctx, store.New(db)); err != nil {
		t.Fatal(err)
	}
	loadWorkload(t, db, data)

	list := mustJobs(t, "", "@every 1s")
	d := &jobs.Daemon{
		Scheduler:       &jobs.Scheduler{Runner: &pipeline.Pipeline{DB: store.New(db), Log: quiet}, Jobs: list, Log: quiet, Metrics: jobs.NewMetrics()},
		Ping:            db.PingContext,
		ShutdownTimeout: 10 * time.Second,
		Now:             func() time.Time { return asOf },
	}
	stop, cancel := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- d.Serve(stop) }()

	deadline := time.Now().Add(60 * time.Second)
	for count(t, db, "SELECT count(*) FROM invoices") < total/4 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if err := exec.Command(pgtest.Script(), "stop", dir).Run(); err != nil {
		t.Fatal(err)
	}
	restartedAt := time.Now()
	if out, err := exec.Command(pgtest.Script(), "start", dir).CombinedOutput(); err != nil {
		t.Fatalf("restarting: %v\n%s", err, out)
	}
	// Every invoice written, and the run that wrote the last of them ended
	// (its later stages too): stopping the daemon earlier would stop a run.
	for time.Now().Before(deadline.Add(60*time.Second)) && (countOrZero(db, "SELECT count(*) FROM invoices") < total ||
		countOrZero(db, "SELECT count(*) FROM pipeline_runs WHERE status = 'running'") > 0) {
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	if got := issuedList(t, db); got != want {
		t.Errorf("after a restart at %s the invoices differ from an uninterrupted run (%d invoices, want %d)",
			restartedAt.Format(time.RFC3339), strings.Count(got, "\n")+1, total)
	}
	var statuses []string
	if err := db.Select(&statuses, "SELECT DISTINCT status FROM pipeline_runs"); err != nil {
		t.Fatal(err)
	}
	// The daemon may have begun one more run, every second, just before it
	// was stopped: that run is stopped, which is what a shutdown does.
	statuses = slices.DeleteFunc(statuses, func(s string) bool { return s == "stopped" })
	sort.Strings(statuses)
	if strings.Join(statuses, ",") != "failed,succeeded" {
		t.Errorf("run outcomes %v (besides a run stopped with the daemon): want a failed run (the restart) and succeeded ones", statuses)
	}
}

func countOrZero(db *sqlx.DB, query string) int {
	var n int
	_ = db.Get(&n, query)
	return n
}
