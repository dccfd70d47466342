package main

import (
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// manyAccounts is a workload of many small accounts with a year of windows
// each, so that a run takes long enough to be interrupted.
func manyAccounts(n int) map[string]string {
	var accounts, customers, orders strings.Builder
	accounts.WriteString("account_id,name,country,currency,billing_day\n")
	customers.WriteString("customer_id,account_id,name,country,currency\n")
	orders.WriteString("order_id,subscription_id,customer_id,sku,action,quantity,effective_date\n")
	for i := 0; i < n; i++ {
		day := i%31 + 1
		fmt.Fprintf(&accounts, "A%04d,Account %d,US,USD,%d\n", i, i, day)
		fmt.Fprintf(&customers, "C%04d,A%04d,Customer %d,US,USD\n", i, i, i)
		start := fmt.Sprintf("2025-01-%02d", i%28+1)
		fmt.Fprintf(&orders, "O%04d-1,S%04d,C%04d,LIC,new,%d,%s\n", i, i, i, i%5+1, start)
		fmt.Fprintf(&orders, "O%04d-2,S%04d,C%04d,LIC,addQuantity,%d,2025-%02d-%02d\n", i, i, i, i%5+3, i%9+2, i%27+1)
	}
	return map[string]string{
		"accounts": accounts.String(), "customers": customers.String(),
		"products": usd4Catalog, "prices": usd4Prices, "tax-rates": "country,rate\nUS,0.05\n",
		"orders": orders.String(),
	}
}

const manyAsOf = "2026-01-20T00:00:00Z"

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
	o.runProcess("run", "--as-of", manyAsOf)
	if got := summary(o.invoices("")); got != want {
		t.Errorf("after kill -9 at %d invoices and a second run, the invoices differ from a clean run at:\n%s", killedAt, firstDifference(got, want))
	}
	var status, message string
	if err := o.db.QueryRow("SELECT status, error FROM pipeline_runs ORDER BY run_id LIMIT 1").Scan(&status, &message); err != nil {
		t.Fatal(err)
	}
	if status != "failed" || message != "interrupted: the process stopped before the run finished" {
		t.Errorf("the killed run is recorded as %s: %s", status, message)
	}
	var gaps int
	if err := o.db.Get(&gaps, "SELECT count(*) FROM (SELECT seq - lag(seq) OVER (PARTITION BY series ORDER BY seq) AS step FROM invoices) s WHERE step <> 1"); err != nil {
		t.Fatal(err)
	}
	if gaps != 0 {
		t.Errorf("%d gaps in the invoice numbers", gaps)
	}
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
