package main

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/openbilling/billing/internal/synthetic"
	"github.com/openbilling/billing/internal/testkit/pgtest"
	"github.com/openbilling/billing/internal/testkit/workload"
	"github.com/openbilling/billing/pipeline"
)

// loadSynthetic imports a synthetic month and puts a sandbox card on file
// for every account, so that the collect stage charges every invoice.
func (o *operator) loadSynthetic(dir string) {
	o.t.Helper()
	for _, kind := range workload.Kinds {
		o.billing("import", kind, filepath.Join(dir, synthetic.File(kind, 1)))
	}
	if _, err := o.db.Exec(workload.CardsOnFile("tok_sbx_test_", "true")); err != nil {
		o.t.Fatal(err)
	}
}

// billed is what a run left that must not depend on who worked it: each
// invoice with its number, each line, each file's bytes, each charge.
func (o *operator) billed() string {
	o.t.Helper()
	var parts []string
	for _, q := range []string{
		`SELECT count(*) || ' invoices ' || md5(string_agg(concat_ws(' ', number, account_id, billing, currency, window_start, issue_date, subtotal, tax, total), E'\n' ORDER BY number)) FROM invoices`,
		`SELECT count(*) || ' lines ' || md5(string_agg(concat_ws(' ', invoice_number, line_no, customer_id, subscription_id, order_id, sku, charge_type,
			charge_start, charge_end, unit_price, effective_unit_price, quantity, amount, tax, total), E'\n' ORDER BY invoice_number, line_no)) FROM invoice_lines`,
		`SELECT count(*) || ' files ' || md5(string_agg(concat_ws(' ', invoice_number, kind, sha256), E'\n' ORDER BY invoice_number, kind)) FROM invoice_files`,
		`SELECT count(*) || ' charges of ' || count(DISTINCT invoice_number) || ' invoices ' || md5(string_agg(concat_ws(' ', invoice_number, attempt_no, amount, status), E'\n' ORDER BY invoice_number, attempt_no)) FROM gateway_attempts WHERE purpose = 'auto_charge'`,
		`SELECT count(*) || ' payments ' || sum(amount) FROM payments`,
	} {
		var s string
		if err := o.db.Get(&s, q); err != nil {
			o.t.Fatal(err)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "\n")
}

// TestWorkersKilledAtRandomLeaveTheBillingOfOneProcess bills a synthetic
// month with a billing run and four billing worker processes on one
// database, killing a random worker with SIGKILL every second or two and
// starting another in its place. The run must end with the invoices (their
// numbers included), lines, files and charges of a run by one process
// alone, and billing verify must find nothing wrong (§12).
func TestWorkersKilledAtRandomLeaveTheBillingOfOneProcess(t *testing.T) {
	data := t.TempDir()
	if code, out, errOut := billing(t, "generate", "--scale", "0.05", "--out", data); code != 0 {
		t.Fatalf("generate: %d %s%s", code, out, errOut)
	}
	alone := newOperator(t)
	alone.loadSynthetic(data)
	alone.runProcess("run", "--as-of", synthetic.AsOf)
	want := alone.billed()

	o := newOperator(t)
	o.loadSynthetic(data)
	// Workers that take a unit at a time, and a run that takes over a
	// killed worker's unit after two seconds and works one unit itself.
	env := append(os.Environ(), "BILLING_UNIT_WORKERS=1", "BILLING_UNIT_PATIENCE=2s")
	start := func() *exec.Cmd {
		cmd := o.command("worker")
		cmd.Env = env
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	workers := make([]*exec.Cmd, 4)
	for i := range workers {
		workers[i] = start()
	}
	defer func() {
		for _, w := range workers {
			_ = w.Process.Signal(syscall.SIGTERM)
			_ = w.Wait()
		}
	}()
	run := o.command("run", "--as-of", synthetic.AsOf)
	run.Env = env
	var out strings.Builder
	run.Stdout, run.Stderr = &out, &out
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	finished := make(chan error, 1)
	go func() { finished <- run.Wait() }()
	rng := rand.New(rand.NewPCG(17, 23))
	kills := 0
	var runErr error
killing:
	for range 600 { // at most ten minutes
		select {
		case runErr = <-finished:
			break killing
		case <-time.After(time.Second + time.Duration(rng.IntN(1000))*time.Millisecond):
		}
		i := rng.IntN(len(workers))
		if err := workers[i].Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = workers[i].Wait()
		workers[i] = start()
		kills++
	}
	if runErr != nil {
		t.Fatalf("billing run with workers killed: %v\n%s", runErr, out.String())
	}
	if kills < 3 {
		t.Fatalf("the run ended after %d kills; the test needs a longer run", kills)
	}
	if got := o.billed(); got != want {
		t.Errorf("after %d workers killed, the billing differs from one process's:\n%s\nwant:\n%s", kills, got, want)
	}
	if v := o.billing("verify", "--files", "full"); !strings.Contains(v, " 0 breaches") {
		t.Errorf("verify after %d workers killed:\n%s", kills, v)
	}
	// The run's report adds up what every process did.
	var runs []pipeline.RunRecord
	if err := json.Unmarshal([]byte(o.billing("runs", "--json")), &runs); err != nil {
		t.Fatal(err)
	}
	rep := runs[0].Counts
	units := 0
	for _, w := range rep.Workers {
		units += w.Units
	}
	if len(rep.Workers) < 3 || rep.Invoices == 0 || rep.Files != 3*rep.Invoices {
		t.Errorf("the run's report: %d processes worked its units, %d invoices, %d files", len(rep.Workers), rep.Invoices, rep.Files)
	}
	t.Logf("%d workers killed; %d units by %d processes, %d taken over by the run; %s", kills, units, len(rep.Workers),
		strings.Count(out.String(), "unit_taken_over")+strings.Count(out.String(), "unit_failed"), strings.ReplaceAll(want, "\n", "; "))
}

// A run and a worker work units only on the schema they were built for.
func TestUnitsNeedTheCurrentSchema(t *testing.T) {
	t.Parallel()
	_, url := pgtest.NewEmptyDB(t)
	for _, cmd := range []string{"run", "worker"} {
		code, out, errOut := billing(t, cmd, "--database-url", url)
		if code != 1 || out != "" || !strings.HasPrefix(errOut, "billing: the database schema is at version 0 and this billing needs ") ||
			!strings.HasSuffix(errOut, ": run billing migrate\n") {
			t.Errorf("billing %s on an empty database: exit %d, %q, %q", cmd, code, out, errOut)
		}
	}
}
