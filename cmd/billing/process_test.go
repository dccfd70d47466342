package main

import (
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/openbilling/billing/internal/testkit/workload"
)

const manyAsOf = workload.AsOf

var manyAccounts = workload.ManyAccounts

// cleanRun bills the workload in one uninterrupted run, a process of its
// own, on a database of its own.
func cleanRun(t *testing.T, data map[string]string) string {
	o := newOperator(t)
	o.load(data)
	o.runProcess("run", "--as-of", manyAsOf)
	return summary(o.invoices(""))
}

func (o *operator) runProcess(args ...string) {
	o.t.Helper()
	if out, err := o.command(args...).CombinedOutput(); err != nil {
		o.t.Fatalf("billing %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func (o *operator) command(args ...string) *exec.Cmd {
	cmd := exec.Command(binary(o.t), append(args, "--database-url", o.url, "--log-level", "warn", "--output-dir", o.dir+"/out")...)
	return cmd
}

func (o *operator) invoiceCount() int {
	var n int
	if err := o.db.Get(&n, "SELECT count(*) FROM invoices"); err != nil {
		o.t.Fatal(err)
	}
	return n
}

func TestTwoRunsAtOnceIssueTheInvoicesOfOne(t *testing.T) {
	t.Parallel()
	data := manyAccounts(60)
	want := cleanRun(t, data)
	o := newOperator(t)
	o.load(data)
	var wg sync.WaitGroup
	outputs := make([]string, 2)
	for i := range outputs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := o.command("run", "--as-of", manyAsOf).CombinedOutput()
			outputs[i] = string(out)
			if err != nil {
				t.Errorf("run %d: %v\n%s", i, err, out)
			}
		}()
	}
	wg.Wait()
	if got := summary(o.invoices("")); got != want {
		t.Errorf("two concurrent runs issued %d invoices, a clean run %d; first difference at:\n%s",
			strings.Count(got, "\n")+1, strings.Count(want, "\n")+1, firstDifference(got, want))
	}
	var closed []string
	for _, out := range outputs {
		for _, line := range strings.Split(out, "\n") {
			if strings.Contains(line, "windows closed:") {
				closed = append(closed, strings.TrimSpace(line))
			}
		}
	}
	if len(closed) != 2 || (!strings.HasSuffix(closed[0], " 0") && !strings.HasSuffix(closed[1], " 0")) {
		t.Errorf("one of the two runs should have found every window closed: %q", closed)
	}
}

func TestARunKilledMidwayThenRunAgainIssuesTheInvoicesOfOne(t *testing.T) {
	t.Parallel()
	data := manyAccounts(120)
	want := cleanRun(t, data)
	total := strings.Count(want, "\n") + 1
	o := newOperator(t)
	o.load(data)

	cmd := o.command("run", "--as-of", manyAsOf)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for o.invoiceCount() < total/4 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	killedAt := o.invoiceCount()
	if killedAt == 0 || killedAt >= total {
		t.Fatalf("the kill came at %d of %d invoices: not midway", killedAt, total)
	}
	// PostgreSQL ends a killed client's session when its statement next
	// reads or writes the socket; until then the run's liveness lock is
	// held and the next run rightly leaves the run marked running. Wait
	// (at most 30 s) for the session to end, as an operator's next run
	// does by coming later.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var held int
		if err := o.db.Get(&held, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`); err != nil {
			t.Fatal(err)
		}
		if held == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the killed run's session still holds %d advisory locks after 30 s", held)
		}
	}
	o.runProcess("run", "--as-of", manyAsOf)
	if got := summary(o.invoices("")); got != want {
		t.Errorf("after kill -9 at %d invoices and a second run, the invoices differ from a clean run at:\n%s", killedAt, firstDifference(got, want))
	}
	var status, message string
	if err := o.db.QueryRow("SELECT status, coalesce(error, '') FROM pipeline_runs ORDER BY run_id LIMIT 1").Scan(&status, &message); err != nil {
		t.Fatal(err)
	}
	if status != "failed" || message != "interrupted: the process stopped before the run finished" {
		t.Errorf("the killed run is recorded as %s: %s", status, message)
	}
	// The killed run's units were forgotten when it was found dead, the
	// second run's at its end.
	var units int
	if err := o.db.Get(&units, "SELECT count(*) FROM run_units"); err != nil || units != 0 {
		t.Errorf("%d units of ended runs are kept (%v)", units, err)
	}
	var gaps int
	if err := o.db.Get(&gaps, "SELECT count(*) FROM (SELECT seq - lag(seq) OVER (PARTITION BY series ORDER BY seq) AS step FROM invoices) s WHERE step <> 1"); err != nil {
		t.Fatal(err)
	}
	if gaps != 0 {
		t.Errorf("%d gaps in the invoice numbers", gaps)
	}
	o.runProcess("verify", "--files", "full")
}

func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var a, b string
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			return fmt.Sprintf("line %d\n got  %s\n want %s", i+1, a, b)
		}
	}
	return "(none)"
}

// SIGTERM while the daemon closes windows: it finishes the window at hand,
// exits 0, and leaves the database consistent; the next run carries on.
func TestSIGTERMDuringACloseLeavesTheDatabaseConsistent(t *testing.T) {
	t.Parallel()
	data := manyAccounts(60)
	o := newOperator(t)
	o.load(data)
	cmd := o.command("schedule", "--schedule-nightly", "off", "--schedule-close", "@every 1h", "--metrics-addr", "", "--shutdown-timeout", "20s")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for o.invoiceCount() < 50 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("the daemon exited with %v\n%s", err, stderr.String())
		}
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("the daemon did not stop within 60 s of SIGTERM\n%s", stderr.String())
	}
	stoppedAt := o.invoiceCount()
	for name, query := range map[string]string{
		"invoices without lines":         "SELECT count(*) FROM invoices i WHERE NOT EXISTS (SELECT 1 FROM invoice_lines l WHERE l.invoice_number = i.number)",
		"invoices of unclosed windows":   "SELECT count(*) FROM invoices i WHERE NOT EXISTS (SELECT 1 FROM closed_windows w WHERE (w.account_id, w.billing, w.window_start) = (i.account_id, i.billing, i.window_start))",
		"closed windows without invoice": "SELECT count(*) FROM closed_windows w WHERE NOT EXISTS (SELECT 1 FROM invoices i WHERE (w.account_id, w.billing, w.window_start) = (i.account_id, i.billing, i.window_start))",
		"runs still marked running":      "SELECT count(*) FROM pipeline_runs WHERE status = 'running'",
	} {
		var n int
		if err := o.db.Get(&n, query); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s: %d", name, n)
		}
	}
	var status string
	if err := o.db.Get(&status, "SELECT status FROM pipeline_runs ORDER BY run_id DESC LIMIT 1"); err != nil {
		t.Fatal(err)
	}
	if status != "stopped" && status != "succeeded" {
		t.Errorf("the interrupted run is recorded as %s", status)
	}
	o.runProcess("run")
	if after := o.invoiceCount(); after <= stoppedAt {
		t.Errorf("the next run added nothing after the stop at %d invoices", stoppedAt)
	}
}
