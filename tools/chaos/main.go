// Command chaos is the fault-injection suite (make chaos): on a
// PostgreSQL server of its own it kills billing run with SIGKILL at random
// moments of each stage, stops the server (fast and immediate) mid-run and
// right after a run said it succeeded, runs two billing runs and an
// import at once, and kills the daemon while it delivers webhooks. After each experiment it runs the pipeline to completion
// and requires billing verify --files full to pass and the invoices to equal
// a clean run's on the same data: numbers, lines, amounts and file bytes
// (net charges per window for the concurrent import, which bills late usage
// through reruns). Every loop is bounded; it prints the faults injected and
// survived, and exits 1 on the first that was not.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"

	"github.com/openbilling/billing/internal/testkit/workload"
	"github.com/openbilling/billing/store"
)

func main() {
	rounds := flag.Int("rounds", 3, "how many times each experiment runs")
	accounts := flag.Int("accounts", 60, "accounts in the workload (about a year of windows each)")
	seed := flag.Uint64("seed", uint64(time.Now().UnixNano()), "random seed of the fault moments")
	only := flag.String("only", "", "run only the experiments whose name contains this text")
	flag.Parse()
	start := time.Now()
	c, err := newChaos(*accounts, *seed)
	if c != nil {
		if err == nil {
			err = c.runAll(*rounds, *only)
		}
		c.printCounts(time.Since(start))
		c.close() // before any exit: the server goes whatever happened
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(1)
	}
}

type chaos struct {
	dir, bin, script, serverURL string
	data                        map[string]string
	files                       map[string]string // kind → CSV path
	rng                         *rand.Rand
	seed                        uint64
	want, wantNet               string
	cleanSeconds                map[string]float64 // stage → seconds of a clean run
	injected, survived          map[string]int
	lateWindows                 int // windows the concurrent imports made late, each rerun
	missed                      int // faults that came after the work they aimed at, tried again
	redelivered                 int // webhook events a killed daemon's successor sent again
	databases                   int
}

func newChaos(accounts int, seed uint64) (*chaos, error) {
	dir, err := os.MkdirTemp("", "billing-chaos-")
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil { // the server may run as another user
		return nil, err
	}
	root, err := repoRoot()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c := &chaos{dir: dir, bin: filepath.Join(dir, "billing"), script: filepath.Join(root, "scripts", "postgres.sh"),
		data: withUsage(workload.ManyAccounts(accounts), accounts), files: map[string]string{}, rng: rand.New(rand.NewPCG(seed, 1)), seed: seed,
		cleanSeconds: map[string]float64{}, injected: map[string]int{}, survived: map[string]int{}}
	if out, err := exec.Command("go", "build", "-o", c.bin, "./cmd/billing").CombinedOutput(); err != nil {
		return c, fmt.Errorf("building billing: %w\n%s", err, out)
	}
	out, err := exec.Command(c.script, "start", filepath.Join(dir, "pg")).Output()
	if err != nil {
		return c, fmt.Errorf("starting PostgreSQL: %w", err)
	}
	c.serverURL = strings.TrimSpace(string(out))
	for kind, content := range c.data {
		c.files[kind] = filepath.Join(dir, kind+".csv")
		if err := os.WriteFile(c.files[kind], []byte(content), 0o644); err != nil {
			return c, err
		}
	}
	fmt.Printf("chaos: %d accounts, seed %d, PostgreSQL in %s\n", accounts, seed, dir)
	return c, nil
}

// withUsage gives each account of a workload a usage subscription and 40
// events spread over 2025, so that late usage and reruns are exercised.
func withUsage(data map[string]string, accounts int) map[string]string {
	data["products"] += "API,API calls,usage,anniversary\n"
	data["prices"] = "sku,currency,unit_price,from_quantity\nLIC,USD,4.00,0\nAPI,USD,0.002,0\nAPI,USD,0.0015,1000\n"
	var orders, usage strings.Builder
	usage.WriteString("event_id,subscription_id,quantity,occurred_at\n")
	for i := 0; i < accounts; i++ {
		fmt.Fprintf(&orders, "U%04d-1,US%04d,C%04d,API,new,0,2025-01-01\n", i, i, i)
		for e := 0; e < 40; e++ {
			fmt.Fprintf(&usage, "E%04d-%02d,US%04d,%d,2025-%02d-%02dT%02d:15:00Z\n", i, e, i, 10+(i*7+e*13)%490, e%12+1, (i+e)%28+1, e%24)
		}
	}
	data["orders"] += orders.String()
	data["usage"] = usage.String()
	return data
}

func repoRoot() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	return strings.TrimSpace(string(out)), err
}

func (c *chaos) close() {
	_ = exec.Command(c.script, "stop", filepath.Join(c.dir, "pg")).Run()
	_ = os.RemoveAll(c.dir)
}

func (c *chaos) printCounts(took time.Duration) {
	kinds := make([]string, 0, len(c.injected))
	for k := range c.injected {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	total, ok := 0, 0
	for _, k := range kinds {
		fmt.Printf("  %-50s injected %3d  survived %3d\n", k, c.injected[k], c.survived[k])
		total, ok = total+c.injected[k], ok+c.survived[k]
	}
	fmt.Printf("  (windows made late by the concurrent imports and rerun: %d; faults that came too late and were tried again: %d; webhook events sent again after a kill: %d)\n",
		c.lateWindows, c.missed, c.redelivered)
	fmt.Printf("chaos: %d faults injected, %d survived, in %.0f s\n", total, ok, took.Seconds())
}

// database is one experiment's database and output folder.
type database struct {
	c        *chaos
	url, out string
	db       *sqlx.DB
}

func (c *chaos) newDatabase() (*database, error) {
	c.databases++
	name := fmt.Sprintf("chaos_%d", c.databases)
	admin, err := sqlx.Open("postgres", c.serverURL)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		return nil, err
	}
	d := &database{c: c, url: strings.Replace(c.serverURL, "/billing?", "/"+name+"?", 1), out: filepath.Join(c.dir, name)}
	if d.db, err = sqlx.Open("postgres", d.url); err != nil {
		return nil, err
	}
	return d, d.billing("migrate")
}

func (d *database) command(args ...string) *exec.Cmd {
	return exec.Command(d.c.bin, append(args, "--database-url", d.url, "--output-dir", d.out, "--log-level", "error")...)
}

// billing runs a command to completion; it must succeed.
func (d *database) billing(args ...string) error {
	if out, err := d.command(args...).CombinedOutput(); err != nil {
		return fmt.Errorf("billing %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// finish runs the pipeline until a run succeeds (a run may fail while the
// server restarts), bounded.
func (d *database) finish() error {
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		if err = d.billing("run", "--as-of", workload.AsOf); err == nil {
			return nil
		}
		time.Sleep(500 * time.Millisecond)
	}
	return err
}

func (d *database) load(kinds ...string) error {
	for _, kind := range kinds {
		if err := d.billing("import", kind, d.c.files[kind]); err != nil {
			return err
		}
		if kind == "accounts" {
			if err := d.putCardsOnFile(); err != nil {
				return err
			}
		}
	}
	return nil
}

// putCardsOnFile gives every other account a valid sandbox card, as if the
// gateway had tokenized it, so that the collect stage charges their
// invoices; the others' invoices stay unpaid, and the dunning stage charges
// them late fees.
func (d *database) putCardsOnFile() error {
	_, err := d.db.Exec(workload.CardsOnFile("tok_sbx_chaos_", `right(account_id, 1) IN ('0', '2', '4', '6', '8')`))
	return err
}

// digest is everything a run decided: invoices, lines and file contents.
func (d *database) digest() (string, error) {
	var rows []string
	err := d.db.Select(&rows, `SELECT i.number || ' ' || i.account_id || ' ' || i.type || ' ' || i.billing || ' ' || i.currency || ' '
		|| i.window_start || ' ' || i.issue_date || ' ' || i.total || ' ' || coalesce(i.adjusts, '-') || ' lines '
		|| (SELECT count(*) || ':' || coalesce(md5(string_agg(l.line_no || l.charge_type || coalesce(l.order_id, '') || l.amount || l.tax || l.quantity, '|' ORDER BY l.line_no)), '')
		    FROM invoice_lines l WHERE l.invoice_number = i.number)
		|| ' files ' || coalesce((SELECT string_agg(f.kind || '=' || f.sha256, ' ' ORDER BY f.kind) FROM invoice_files f WHERE f.invoice_number = i.number), 'none')
		|| ' paid ' || coalesce((SELECT sum(a.amount) FROM ledger_entries a WHERE a.kind = 'allocation' AND a.invoice_number = i.number), 0)
		FROM invoices i ORDER BY i.series, i.seq`)
	return strings.Join(rows, "\n"), err
}

// collectedOnce checks that no invoice was charged twice and that what the
// gateway collected is what the ledger received (§9 "Never twice").
func (d *database) collectedOnce() error {
	var twice []string
	if err := d.db.Select(&twice, `SELECT split_part(idempotency_key, '_', 2) || ' charged ' || count(*) || ' times'
		FROM sandbox.requests WHERE kind = 'charge' AND status = 'succeeded' AND idempotency_key LIKE 'auto\_%'
		GROUP BY split_part(idempotency_key, '_', 2) HAVING count(*) > 1 ORDER BY 1`); err != nil {
		return err
	}
	if len(twice) > 0 {
		return fmt.Errorf("invoices charged more than once: %s", strings.Join(twice, "; "))
	}
	var gateway, ledger string
	if err := d.db.QueryRow(`SELECT (SELECT coalesce(sum(amount), 0) FROM sandbox.requests WHERE kind = 'charge' AND status = 'succeeded')::text,
		(SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE kind = 'payment')::text`).Scan(&gateway, &ledger); err != nil {
		return err
	}
	if gateway != ledger {
		return fmt.Errorf("the gateway collected %s, the ledger received %s", gateway, ledger)
	}
	return nil
}

// netCharges is what was billed per account, window, sku and charge type,
// by originals and adjustments together. Late fees are left out: a charge
// that arrived late is invoiced later, due later, and is not overdue when
// the same charge on time would have been (§7, §13); billing verify checks
// each fee against its policy (§12.7).
func (d *database) netCharges() (string, error) {
	var rows []string
	err := d.db.Select(&rows, `SELECT i.account_id || ' ' || i.billing || ' ' || i.window_start || ' ' || l.sku || ' ' || l.charge_type || ' ' || trim_scale(sum(l.amount))
		FROM invoices i JOIN invoice_lines l ON l.invoice_number = i.number
		WHERE l.charge_type <> 'lateFee'
		GROUP BY i.account_id, i.billing, i.window_start, l.sku, l.charge_type HAVING sum(l.amount) <> 0 ORDER BY 1`)
	return strings.Join(rows, "\n"), err
}

// check runs the pipeline to completion and compares with the clean run.
func (d *database) check(exact bool) error {
	if err := d.finish(); err != nil {
		return err
	}
	if err := d.billing("verify", "--files", "full"); err != nil {
		return err
	}
	if err := d.collectedOnce(); err != nil {
		return err
	}
	if !exact {
		got, err := d.netCharges()
		if err != nil {
			return err
		}
		return differs("net charges", got, d.c.wantNet)
	}
	got, err := d.digest()
	if err != nil {
		return err
	}
	return differs("invoices", got, d.c.want)
}

func differs(what, got, want string) error {
	if got == want {
		return nil
	}
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
			return fmt.Errorf("%s differ from a clean run's at line %d:\n got  %s\n want %s", what, i+1, a, b)
		}
	}
	return nil
}

var stages = []string{"extract", "rate", "close", "emit", "collect", "dunning"}

func (c *chaos) runAll(rounds int, only string) error {
	clean, err := c.newDatabase()
	if err != nil {
		return err
	}
	if err := clean.load(append(workload.Kinds, workload.LateFees)...); err != nil {
		return err
	}
	for i, s := range stages {
		began := time.Now()
		if err := clean.billing("run", "--as-of", workload.AsOf, "--stage", s); err != nil {
			return err
		}
		c.cleanSeconds[stages[i]] = time.Since(began).Seconds()
	}
	if c.want, err = clean.digest(); err != nil {
		return err
	}
	if c.wantNet, err = clean.netCharges(); err != nil {
		return err
	}
	fmt.Printf("clean run: %d invoices; stage seconds %v\n", strings.Count(c.want, "\n")+1, c.cleanSeconds)
	type experiment struct {
		name string
		run  func() error
	}
	var experiments []experiment
	for _, s := range stages {
		experiments = append(experiments, experiment{"SIGKILL during " + s, func() error { return c.killDuring(s) }})
	}
	experiments = append(experiments,
		experiment{"PostgreSQL fast restart mid-run", func() error { return c.restartMidRun("stop") }},
		experiment{"PostgreSQL immediate restart mid-run", func() error { return c.restartMidRun("crash") }},
		experiment{"PostgreSQL crash right after exit 0", c.crashAfterSuccess},
		experiment{"two runs and two imports (usage, orders) at once", c.concurrent},
		experiment{"SIGKILL of the daemon delivering webhooks", c.killDaemonDelivering},
	)
	for r := 0; r < rounds; r++ {
		for _, e := range experiments {
			if !strings.Contains(e.name, only) {
				continue
			}
			for attempt := 1; ; attempt++ {
				err := e.run()
				if errors.Is(err, errMissed) {
					c.missed++
					if attempt < 10 {
						continue
					}
					break // the work was always done first: nothing injected
				}
				c.injected[e.name]++
				if err != nil {
					return fmt.Errorf("%s (round %d): %w", e.name, r+1, err)
				}
				c.survived[e.name]++
				break
			}
		}
	}
	return nil
}

// loadedDatabase is a new database with the whole workload imported.
func (c *chaos) loadedDatabase() (*database, error) {
	d, err := c.newDatabase()
	if err == nil {
		err = d.load(append(workload.Kinds, workload.LateFees)...)
	}
	return d, err
}

// moment is a random instant within a stage of a clean run.
func (c *chaos) moment(seconds float64) time.Duration {
	return time.Duration(c.rng.Float64() * seconds * float64(time.Second))
}

// killDuring runs the stages before s, then kills a run of s at a random moment.
func (c *chaos) killDuring(s string) error {
	d, err := c.loadedDatabase()
	if err != nil {
		return err
	}
	defer d.db.Close()
	for _, before := range stages {
		if before == s {
			break
		}
		if err := d.billing("run", "--as-of", workload.AsOf, "--stage", before); err != nil {
			return err
		}
	}
	cmd := d.command("run", "--as-of", workload.AsOf, "--stage", s)
	if err := cmd.Start(); err != nil {
		return err
	}
	time.Sleep(c.moment(c.cleanSeconds[s]))
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		return errMissed // the stage finished before the signal
	}
	return d.check(true)
}

// errMissed is an experiment whose fault came after the work was done: it
// is counted apart and tried again.
var errMissed = errors.New("the fault came after the work it aimed at")

// restartMidRun stops the server (fast or immediate) at a random moment of
// a whole run and starts it again.
func (c *chaos) restartMidRun(mode string) error {
	d, err := c.loadedDatabase()
	if err != nil {
		return err
	}
	defer d.db.Close()
	total := 0.0
	for _, s := range c.cleanSeconds {
		total += s
	}
	cmd := d.command("run", "--as-of", workload.AsOf)
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	time.Sleep(c.moment(total))
	select {
	case <-exited:
		return errMissed // the run finished before the restart
	default:
	}
	if err := c.restart(mode); err != nil {
		return err
	}
	<-exited // it fails or finishes; either is fine
	return d.check(true)
}

func (c *chaos) restart(mode string) error {
	if out, err := exec.Command(c.script, mode, filepath.Join(c.dir, "pg")).CombinedOutput(); err != nil {
		return fmt.Errorf("postgres.sh %s: %w\n%s", mode, err, out)
	}
	if out, err := exec.Command(c.script, "start", filepath.Join(c.dir, "pg")).CombinedOutput(); err != nil {
		return fmt.Errorf("restarting PostgreSQL: %w\n%s", err, out)
	}
	return nil
}

// crashAfterSuccess crashes the server the moment a run has exited 0: what
// the run said it did must all be there (§12.6).
func (c *chaos) crashAfterSuccess() error {
	d, err := c.loadedDatabase()
	if err != nil {
		return err
	}
	defer d.db.Close()
	if err := d.billing("run", "--as-of", workload.AsOf); err != nil {
		return err
	}
	if err := c.restart("crash"); err != nil {
		return err
	}
	var status string
	var counts []byte
	if err := d.db.QueryRow(`SELECT status, counts FROM pipeline_runs ORDER BY run_id DESC LIMIT 1`).Scan(&status, &counts); err != nil {
		return err
	}
	var rep struct {
		Invoices int `json:"invoices"`
		Files    int `json:"files"`
	}
	if err := json.Unmarshal(counts, &rep); err != nil {
		return err
	}
	var invoices, files int
	if err := d.db.QueryRow(`SELECT (SELECT count(*) FROM invoices), (SELECT count(*) FROM invoice_files)`).Scan(&invoices, &files); err != nil {
		return err
	}
	if status != "succeeded" || invoices != rep.Invoices || files != rep.Files {
		return fmt.Errorf("after the crash the run is %s with %d invoices and %d file records; it reported %d and %d", status, invoices, files, rep.Invoices, rep.Files)
	}
	return d.check(true)
}

// concurrent imports the workload but some usage events and seat changes of
// four accounts, then runs two billing runs and the imports of the rest at
// once; every window reported late is rerun.
func (c *chaos) concurrent() error {
	d, err := c.newDatabase()
	if err != nil {
		return err
	}
	defer d.db.Close()
	usage := strings.SplitAfter(c.data["usage"], "\n")
	// The second files: every other event of four accounts picked at
	// random, and the seat increase of each.
	header, rows := usage[0], usage[1:len(usage)-1]
	picked, pickedOrders := map[string]bool{}, map[string]bool{}
	for len(picked) < 4 {
		i := c.rng.IntN(len(rows) / 40)
		picked[fmt.Sprintf("US%04d", i)], pickedOrders[fmt.Sprintf("O%04d-2", i)] = true, true
	}
	orders := strings.SplitAfter(c.data["orders"], "\n")
	var earlyOrders, laterOrders []string
	for _, r := range orders[1 : len(orders)-1] {
		if pickedOrders[strings.Split(r, ",")[0]] {
			laterOrders = append(laterOrders, r)
		} else {
			earlyOrders = append(earlyOrders, r)
		}
	}
	var early, later []string
	for i, r := range rows {
		if picked[strings.Split(r, ",")[1]] && i%2 == 0 {
			later = append(later, r)
		} else {
			early = append(early, r)
		}
	}
	first, second := d.out+"-usage-1.csv", d.out+"-usage-2.csv"
	if err := os.WriteFile(first, []byte(header+strings.Join(early, "")), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(second, []byte(header+strings.Join(later, "")), 0o644); err != nil {
		return err
	}
	firstOrders, secondOrders := d.out+"-orders-1.csv", d.out+"-orders-2.csv"
	if err := os.WriteFile(firstOrders, []byte(orders[0]+strings.Join(earlyOrders, "")), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(secondOrders, []byte(orders[0]+strings.Join(laterOrders, "")), 0o644); err != nil {
		return err
	}
	if err := d.load("accounts", "customers", "products", "prices", "tax-rates", workload.LateFees); err != nil {
		return err
	}
	if err := d.billing("import", "orders", firstOrders); err != nil {
		return err
	}
	if err := d.billing("import", "usage", first); err != nil {
		return err
	}
	cmds := []*exec.Cmd{d.command("run", "--as-of", workload.AsOf), d.command("run", "--as-of", workload.AsOf),
		d.command("import", "usage", second), d.command("import", "orders", secondOrders)}
	outs := make([]*bytes.Buffer, len(cmds))
	for i, cmd := range cmds {
		outs[i] = &bytes.Buffer{}
		cmd.Stdout, cmd.Stderr = outs[i], outs[i]
		if i >= 2 {
			time.Sleep(c.moment(c.cleanSeconds["close"] / 2))
		}
		if err := cmd.Start(); err != nil {
			return err
		}
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			return fmt.Errorf("%s: %w\n%s", strings.Join(cmd.Args[1:3], " "), err, outs[i])
		}
	}
	if err := d.finish(); err != nil {
		return err
	}
	// Rerun every window reported late, as an operator would.
	late, err := store.LateCounts(context.Background(), store.New(d.db))
	if err != nil {
		return err
	}
	for _, l := range late {
		if err := d.billing("rerun", "--account", l.AccountID, "--billing", l.Billing, "--window", l.WindowStart, "--as-of", workload.AsOf); err != nil {
			return err
		}
	}
	c.lateWindows += len(late)
	return d.check(false)
}
