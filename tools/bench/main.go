// Command bench measures a synthetic month against a throwaway
// PostgreSQL: generate → import (timed per kind) → billing run (timed per
// stage), beside the limits measured in the same run on the same data: a
// bare COPY of the usage file, one GROUP BY of the month's usage, a bare
// excelize StreamWriter writing as many rows as the run's lines, and a bare
// COPY of those lines. With --months N it bills N consecutive months one
// after another (each month's orders and usage imported, then the month
// billed as a nightly run would by the 1st of the next) and reports each
// month's figures and how the last month's cost compares with the second's.
// `make bench` runs it; --json prints one JSON object.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/openbilling/billing/internal/synthetic"
	"github.com/openbilling/billing/internal/testkit/throwaway"
	"github.com/openbilling/billing/internal/testkit/workload"
	"github.com/openbilling/billing/internal/testkit/xlsxbaseline"
	"github.com/openbilling/billing/reports"
)

// Result is the JSON the harness prints.
type Result struct {
	Scale               float64            `json:"scale"`
	Workers             int                `json:"workers"`        // billing worker processes beside each run
	Units               int64              `json:"units"`          // units of work of the (last) month's runs
	UnitProcesses       int64              `json:"unit_processes"` // processes that worked them
	RunTimings          map[string]float64 `json:"run_timings"`    // where the runs spent their time
	StageCPU            map[string]CPU     `json:"stage_cpu_seconds"`
	Seed                uint64             `json:"seed"`
	Date                string             `json:"date"`
	Machine             string             `json:"machine"`
	UsageRows           int64              `json:"usage_rows"`
	GenerateSeconds     float64            `json:"generate_seconds"`
	ImportSeconds       map[string]float64 `json:"import_seconds"`
	ImportRowsPerS      float64            `json:"import_rows_per_s"`
	StageSeconds        map[string]float64 `json:"stage_seconds"`
	CloseSeconds        float64            `json:"close_seconds"`
	Invoices            int64              `json:"invoices"`
	Lines               int64              `json:"lines"`
	Files               int64              `json:"files"`
	PeakRSSMiB          float64            `json:"peak_rss_mib"`
	RawCopyRowsPerS     float64            `json:"raw_copy_rows_per_s"`
	RawAggregateSeconds float64            `json:"raw_aggregate_seconds"`
	RawXLSXSeconds      float64            `json:"raw_xlsx_seconds"`
	RawCopyLinesSeconds float64            `json:"raw_copy_lines_seconds"`
	ImportVsRawCopy     float64            `json:"import_vs_raw_copy"`
	// The same files copied by psql into tables like the product's (the
	// same columns, keys, checks, defaults and indexes; logged), and the
	// import's rows/s as a share of that: what the import itself costs.
	SameTableRowsPerS map[string]float64 `json:"same_table_copy_rows_per_s"`
	ImportVsSameTable map[string]float64 `json:"import_vs_same_table"`
	RunVsRaw          float64            `json:"run_vs_raw"`
	CollectSeconds    float64            `json:"collect_seconds"`        // the collect stage: every invoice charged to a sandbox card
	CollectPerS       float64            `json:"collect_invoices_per_s"` // invoices charged per second
	CollectShare      float64            `json:"collect_share"`          // collect ÷ the other stages
	DunningSeconds    float64            `json:"dunning_seconds"`        // the dunning stage: late fees and reminders (§13)
	// With --provider: collect charged through billing's Stripe gateway
	// against the bench's provider, which answers at once or after
	// --provider-latency; the ceiling is gateway_concurrency ÷ latency, or
	// the rate limit when lower (§9.1).
	Gateway             string  `json:"gateway"` // sandbox, or provider (the bench's)
	ProviderLatencyMS   float64 `json:"provider_latency_ms,omitempty"`
	GatewayConcurrency  int     `json:"gateway_concurrency,omitempty"`
	GatewayRateLimit    int     `json:"gateway_rate_limit,omitempty"`
	CollectCeilingPerS  float64 `json:"collect_ceiling_per_s,omitempty"`
	CollectOfCeiling    float64 `json:"collect_of_ceiling,omitempty"`
	ProviderRequests    int64   `json:"provider_requests,omitempty"`
	ProviderMaxFlight   int     `json:"provider_max_in_flight,omitempty"`
	ProviderConnections int64   `json:"provider_connections,omitempty"` // TCP connections billing opened to it
	VerifySeconds       float64 `json:"verify_seconds"`
	VerifyFullSeconds   float64 `json:"verify_files_full_seconds"`
	// With --months N above 1: each month's figures, and the last month's
	// seconds ÷ the second month's, for the whole run and per stage. The
	// figures above are then the last month's, and the limits are left out
	// (they are the one-month bench's).
	Months      []Month            `json:"months,omitempty"`
	Growth      float64            `json:"growth,omitempty"`
	StageGrowth map[string]float64 `json:"stage_growth,omitempty"`
	RunSeconds  float64            `json:"run_seconds"` // every stage, collect included
}

// Month is one month of a --months bench.
type Month struct {
	Month         string             `json:"month"`
	AsOf          string             `json:"as_of"`
	ImportSeconds map[string]float64 `json:"import_seconds"`
	StageSeconds  map[string]float64 `json:"stage_seconds"`
	StageCPU      map[string]CPU     `json:"stage_cpu_seconds"` // the run process's, and the whole machine's (database and workers included)
	RunSeconds    float64            `json:"run_seconds"`
	Invoices      int64              `json:"invoices"`       // issued by the month's run
	Charged       int64              `json:"charged"`        // charged by its collect stage
	Units         int64              `json:"units"`          // units of work of the month's runs
	UnitProcesses int64              `json:"unit_processes"` // processes that worked them: the runs' and the workers'
	RunTimings    map[string]float64 `json:"run_timings"`    // the runs' own timings (pipeline.Report's seconds)
}

// stages are the billing run's stages in order (§1), collect and dunning last.
var stages = []string{"extract", "rate", "close", "emit", "collect", "dunning"}

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "billing-bench: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	scale := flag.Float64("scale", 1, "workload scale (1: 10,000 accounts, 1,000,000 subscriptions, 10,000,000 usage events)")
	seed := flag.Uint64("seed", 1, "workload seed")
	binary := flag.String("billing", "bin/billing", "the billing binary to measure")
	asJSON := flag.Bool("json", false, "print one JSON object")
	months := flag.Int("months", 1, "bill this many consecutive months, one after another")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of each billing run stage to FILE.STAGE (FILE.MONTH.STAGE with --months)")
	memprofile := flag.String("memprofile", "", "write a heap profile of each billing run stage to FILE.STAGE")
	workers := flag.Int("workers", 0, "billing worker processes sharing each run's units with the run (docs/SCALING.md)")
	useProvider := flag.Bool("provider", false, "charge through billing's Stripe gateway against the bench's provider, which keeps nothing and answers at once (or after --provider-latency): billing's own cost of a charge, where the sandbox gateway keeps its books in the same PostgreSQL")
	latency := flag.Duration("provider-latency", 0, "with --provider (which it implies): the provider answers after this latency, such as 200ms")
	concurrency := flag.Int("gateway-concurrency", 20, "with --provider: billing's gateway_concurrency")
	rateLimit := flag.Int("gateway-rate-limit", 90, "with --provider: billing's gateway_rate_limit")
	flag.Parse()
	ctx := context.Background()

	pg, err := throwaway.Start("billing-bench-")
	if err != nil {
		return err
	}
	defer pg.Stop()
	work, url := pg.Dir, pg.URL
	b := &bench{binary: *binary, url: url, outDir: filepath.Join(work, "out"), progress: !*asJSON}
	res := &Result{Scale: *scale, Workers: *workers, Seed: *seed, Date: time.Now().UTC().Format(time.DateOnly), ImportSeconds: map[string]float64{},
		StageSeconds: map[string]float64{}, Machine: fmt.Sprintf("%s/%s, %d cores", runtime.GOOS, runtime.GOARCH, runtime.NumCPU())}

	var collectArgs []string
	var prov *provider
	res.Gateway = "sandbox"
	if *useProvider || *latency > 0 {
		if prov, err = startProvider(*latency); err != nil {
			return err
		}
		defer prov.stop()
		collectArgs = []string{"--payment-gateway", "stripe", "--stripe-secret-key", "sk_test_bench", "--stripe-api-url", prov.url,
			"--gateway-concurrency", fmt.Sprint(*concurrency), "--gateway-rate-limit", fmt.Sprint(*rateLimit)}
		res.Gateway, res.ProviderLatencyMS, res.GatewayConcurrency, res.GatewayRateLimit = "provider", float64(*latency)/float64(time.Millisecond), *concurrency, *rateLimit
		res.CollectCeilingPerS = float64(*rateLimit)
		if *latency > 0 {
			res.CollectCeilingPerS = min(float64(*concurrency)/latency.Seconds(), float64(*rateLimit))
		}
	}

	data := filepath.Join(work, "data")
	began := time.Now()
	b.say("generating scale %g, %d month(s)", *scale, *months)
	counts, err := synthetic.GenerateMonths(data, *scale, *seed, *months, nil)
	if err != nil {
		return err
	}
	res.GenerateSeconds = time.Since(began).Seconds()

	if _, err := b.billing("migrate"); err != nil {
		return err
	}
	for m := 1; m <= *months; m++ {
		month := Month{Month: synthetic.Month.AddDate(0, m-1, 0).Format("2006-01"), AsOf: synthetic.AsOfMonth(m),
			ImportSeconds: map[string]float64{}, StageSeconds: map[string]float64{}, StageCPU: map[string]CPU{}}
		if *months == 1 {
			month.AsOf = synthetic.AsOf // the whole month's windows, as the one-month bench has always billed it
		}
		kinds := []string{"orders", "usage"}
		if m == 1 {
			kinds = []string{"accounts", "customers", "products", "prices", "tax-rates", "late-fees", "orders", "usage"}
		}
		for _, kind := range kinds {
			file := synthetic.File(kind, m)
			b.say("%s: importing %s", month.Month, file)
			d, err := b.billing("import", kind, filepath.Join(data, file))
			if err != nil {
				return err
			}
			month.ImportSeconds[kind] = d.Seconds()
		}
		res.UsageRows = counts[synthetic.File("usage", m)]
		if m == 1 {
			// Collect (§9): every account has a valid sandbox card on
			// file, so every invoice is charged once. The cards are put on
			// file in bulk, as the gateway would have tokenized them; the
			// charges go through the gateway like any.
			b.say("putting a sandbox card on file for every account")
			if err := b.exec(workload.CardsOnFile("tok_sbx_bench_", "true")); err != nil {
				return err
			}
		}
		var before, paidBefore int64
		if err := b.scalar(ctx, "SELECT count(*) FROM invoices", &before); err != nil {
			return err
		}
		if err := b.scalar(ctx, "SELECT count(*) FROM payments", &paidBefore); err != nil {
			return err
		}
		stopWorkers, err := b.startWorkers(*workers)
		if err != nil {
			return err
		}
		for _, stage := range stages {
			b.say("%s: billing run --as-of %s --stage %s", month.Month, month.AsOf, stage)
			args := []string{"run", "--as-of", month.AsOf, "--stage", stage, "--output-dir", b.outDir}
			profile := "." + stage
			if *months > 1 {
				profile = fmt.Sprintf(".%d.%s", m, stage)
			}
			if *cpuprofile != "" {
				args = append(args, "--cpuprofile", *cpuprofile+profile)
			}
			if *memprofile != "" {
				args = append(args, "--memprofile", *memprofile+profile)
			}
			if stage == "collect" {
				args = append(args, collectArgs...)
			}
			busy := machineCPU()
			d, err := b.billing(args...)
			if err != nil {
				return err
			}
			month.StageSeconds[stage] = d.Seconds()
			month.StageCPU[stage] = CPU{Run: b.lastCPU, Machine: machineCPU() - busy}
			month.RunSeconds += d.Seconds()
		}
		if err := stopWorkers(); err != nil {
			return err
		}
		var after, paidAfter int64
		if err := b.scalar(ctx, "SELECT count(*) FROM invoices", &after); err != nil {
			return err
		}
		if err := b.scalar(ctx, "SELECT count(*) FROM payments", &paidAfter); err != nil {
			return err
		}
		month.Invoices, month.Charged = after-before, paidAfter-paidBefore
		// The units of the month's runs, and how many processes worked them.
		units := `FROM pipeline_runs r, jsonb_array_elements(coalesce(r.counts->'units_by_worker', '[]')) w WHERE r.as_of = '` + month.AsOf + `'`
		if err := b.scalar(ctx, `SELECT coalesce(sum((w->>'units')::int), 0) `+units, &month.Units); err != nil {
			return err
		}
		if err := b.scalar(ctx, `SELECT count(DISTINCT w->>'worker') `+units, &month.UnitProcesses); err != nil {
			return err
		}
		// Where the runs spent their time: each stage, its units in all,
		// and close's writes (docs/SCALING.md).
		if month.RunTimings, err = b.keyed(`SELECT t.key, sum(t.value::float8) FROM pipeline_runs r, jsonb_each_text(coalesce(r.counts->'seconds', '{}')) t
			WHERE r.as_of = '` + month.AsOf + `' GROUP BY t.key`); err != nil {
			return err
		}
		res.Months = append(res.Months, month)
	}
	last := res.Months[len(res.Months)-1]
	res.ImportSeconds, res.StageSeconds, res.RunSeconds = last.ImportSeconds, last.StageSeconds, last.RunSeconds
	res.Units, res.UnitProcesses, res.RunTimings, res.StageCPU = last.Units, last.UnitProcesses, last.RunTimings, last.StageCPU
	res.ImportRowsPerS = float64(res.UsageRows) / res.ImportSeconds["usage"]
	for _, stage := range stages[:4] {
		res.CloseSeconds += res.StageSeconds[stage]
	}
	res.CollectSeconds = res.StageSeconds["collect"]
	res.CollectShare = res.CollectSeconds / res.CloseSeconds
	res.DunningSeconds = res.StageSeconds["dunning"]
	if *months > 1 {
		second := res.Months[1]
		res.Growth = last.RunSeconds / second.RunSeconds
		res.StageGrowth = map[string]float64{}
		for _, stage := range stages {
			res.StageGrowth[stage] = last.StageSeconds[stage] / second.StageSeconds[stage]
		}
	} else {
		res.Months = nil
	}
	// The guarantees of §12 on what the runs wrote: a breach fails the bench.
	b.say("billing verify")
	d, err := b.billing("verify")
	if err != nil {
		return err
	}
	res.VerifySeconds = d.Seconds()
	b.say("billing verify --files full")
	if d, err = b.billing("verify", "--files", "full", "--output-dir", b.outDir); err != nil {
		return err
	}
	res.VerifyFullSeconds = d.Seconds()
	if err := b.scalar(ctx, "SELECT count(*) FROM invoices", &res.Invoices); err != nil {
		return err
	}
	if err := b.scalar(ctx, "SELECT count(*) FROM invoice_lines", &res.Lines); err != nil {
		return err
	}
	if err := b.scalar(ctx, "SELECT count(*) FROM invoice_files", &res.Files); err != nil {
		return err
	}
	// Every invoice with something due was charged: its allocations (the
	// charge, or a credit of an earlier invoice) cover it.
	var unpaid int64
	if err := b.scalar(ctx, `SELECT count(*) FROM ledger_entries e WHERE e.kind = 'invoice' AND e.amount > (SELECT coalesce(sum(a.amount), 0)
		FROM ledger_entries a WHERE a.kind = 'allocation' AND a.invoice_number = e.invoice_number)`, &unpaid); err != nil {
		return err
	}
	if unpaid > 0 {
		return fmt.Errorf("collect left %d invoices with something due unpaid", unpaid)
	}
	res.CollectPerS = float64(last.Charged) / res.CollectSeconds
	if prov != nil {
		res.CollectOfCeiling = res.CollectPerS / res.CollectCeilingPerS
		res.ProviderRequests, res.ProviderMaxFlight, res.ProviderConnections = prov.requests.Load(), prov.maxInFlight(), prov.conns.Load()
	}
	res.PeakRSSMiB = float64(b.peakRSS) / (1 << 20)
	if *months > 1 {
		return b.print(res, *asJSON)
	}

	b.say("limits: bare COPY of the usage file")
	d, err = b.psql(`CREATE UNLOGGED TABLE bare_usage (event_id text, subscription_id text, quantity numeric, occurred_at timestamptz)`,
		fmt.Sprintf(`\copy bare_usage FROM '%s' WITH (FORMAT csv, HEADER true)`, filepath.Join(data, "usage.csv")))
	if err != nil {
		return err
	}
	res.RawCopyRowsPerS = float64(res.UsageRows) / d.Seconds()
	res.SameTableRowsPerS, res.ImportVsSameTable = map[string]float64{}, map[string]float64{}
	for _, k := range []struct{ kind, table string }{{"usage", "usage_events"}, {"orders", "orders"}} {
		file := filepath.Join(data, synthetic.File(k.kind, 1))
		b.say("limits: COPY of %s into a table like %s", file, k.table)
		columns, err := csvHeader(file)
		if err != nil {
			return err
		}
		d, err := b.psql(fmt.Sprintf(`CREATE TABLE same_%[1]s (LIKE %[1]s INCLUDING ALL)`, k.table),
			fmt.Sprintf(`\copy same_%s (%s) FROM '%s' WITH (FORMAT csv, HEADER true)`, k.table, columns, file))
		if err != nil {
			return err
		}
		rows := float64(counts[synthetic.File(k.kind, 1)])
		res.SameTableRowsPerS[k.kind] = rows / d.Seconds()
		res.ImportVsSameTable[k.kind] = rows / res.ImportSeconds[k.kind] / res.SameTableRowsPerS[k.kind]
		if _, err := b.psql(`DROP TABLE same_` + k.table); err != nil {
			return err
		}
	}
	b.say("limits: one GROUP BY of the month's usage")
	if d, err = b.psql(`SELECT count(*) FROM (SELECT subscription_id, (occurred_at AT TIME ZONE 'UTC')::date, sum(quantity) FROM usage_events GROUP BY 1, 2) s`); err != nil {
		return err
	}
	res.RawAggregateSeconds = d.Seconds()
	b.say("limits: bare COPY of the run's lines")
	linesFile := filepath.Join(work, "lines.copy")
	if _, err := b.psql(fmt.Sprintf(`\copy invoice_lines TO '%s'`, linesFile), `CREATE UNLOGGED TABLE bare_lines (LIKE invoice_lines)`); err != nil {
		return err
	}
	if d, err = b.psql(fmt.Sprintf(`\copy bare_lines FROM '%s'`, linesFile)); err != nil {
		return err
	}
	res.RawCopyLinesSeconds = d.Seconds()
	b.say("limits: a bare StreamWriter writing %d rows", res.Lines)
	began = time.Now()
	f, err := os.Create(filepath.Join(work, "bare.xlsx"))
	if err != nil {
		return err
	}
	if err := xlsxbaseline.Write(f, int(res.Lines), len(reports.LineItemColumns)); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	res.RawXLSXSeconds = time.Since(began).Seconds()

	res.ImportVsRawCopy = res.ImportRowsPerS / res.RawCopyRowsPerS
	res.RunVsRaw = res.CloseSeconds / (res.RawAggregateSeconds + res.RawXLSXSeconds + res.RawCopyLinesSeconds)
	return b.print(res, *asJSON)
}

func (b *bench) print(res *Result, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	printTable(os.Stdout, res)
	return nil
}

type bench struct {
	binary, url, outDir string
	progress            bool
	peakRSS             int64
	lastCPU             float64 // the last billing command's processor seconds
}

func (b *bench) say(format string, args ...any) {
	if b.progress {
		fmt.Fprintf(os.Stderr, "==> "+format+"\n", args...)
	}
}

// billing runs the binary and returns its wall time, keeping its peak RSS.
func (b *bench) billing(args ...string) (time.Duration, error) {
	cmd := exec.Command(b.binary, append(args, "--database-url", b.url, "--log-level", "warn")...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.Stdout = io.Discard
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	b.lastCPU = (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss<<10 > b.peakRSS {
		b.peakRSS = ru.Maxrss << 10 // kilobytes on Linux
	}
	if err != nil {
		return d, fmt.Errorf("billing %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return d, nil
}

// startWorkers starts n billing worker processes; stop ends them with
// SIGTERM, keeping their peak RSS.
func (b *bench) startWorkers(n int) (stop func() error, err error) {
	var cmds []*exec.Cmd
	var logs []*strings.Builder
	stop = func() error {
		var firstErr error
		for i, cmd := range cmds {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			if err := cmd.Wait(); err != nil && firstErr == nil {
				firstErr = fmt.Errorf("billing worker: %w: %s", err, logs[i].String())
			}
			if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss<<10 > b.peakRSS {
				b.peakRSS = ru.Maxrss << 10
			}
		}
		return firstErr
	}
	for range n {
		cmd := exec.Command(b.binary, "worker", "--database-url", b.url, "--log-level", "warn", "--output-dir", b.outDir)
		var stderr strings.Builder
		cmd.Stderr, cmd.Stdout = &stderr, io.Discard
		if err := cmd.Start(); err != nil {
			_ = stop()
			return nil, err
		}
		cmds, logs = append(cmds, cmd), append(logs, &stderr)
	}
	return stop, nil
}

// psql runs statements in one psql session and returns the wall time of the last.
func (b *bench) psql(statements ...string) (time.Duration, error) {
	var last time.Duration
	for _, s := range statements {
		start := time.Now()
		out, err := exec.Command("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", b.url, "-c", s).CombinedOutput()
		last = time.Since(start)
		if err != nil {
			return last, fmt.Errorf("psql %s: %w: %s", s, err, out)
		}
	}
	return last, nil
}

func (b *bench) exec(query string) error {
	if out, err := exec.Command("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", b.url, "-c", query).CombinedOutput(); err != nil {
		return fmt.Errorf("psql: %w: %s", err, out)
	}
	return nil
}

func (b *bench) scalar(_ context.Context, query string, dst *int64) error {
	out, err := exec.Command("psql", "-X", "-qtA", b.url, "-c", query).Output()
	if err != nil {
		return fmt.Errorf("psql %s: %w", query, err)
	}
	_, err = fmt.Sscan(strings.TrimSpace(string(out)), dst)
	if err != nil {
		return errors.New("reading " + query + ": " + err.Error())
	}
	return nil
}

// CPU is the processor time a stage took, in seconds: the run process's
// own, and the whole machine's (the database's and the workers' included).
type CPU struct {
	Run     float64 `json:"run"`
	Machine float64 `json:"machine"`
}

// machineCPU is the processor time the machine has spent busy since boot,
// in seconds (/proc/stat; 0 where there is none).
func machineCPU() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	fields := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	busy := 0.0
	for i, f := range fields[1:] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		var v float64
		if _, err := fmt.Sscan(f, &v); err == nil {
			busy += v
		}
	}
	return busy / 100 // USER_HZ
}

// keyed reads a query's rows of a key and a number.
func (b *bench) keyed(query string) (map[string]float64, error) {
	out, err := exec.Command("psql", "-X", "-qtA", "-F", " ", b.url, "-c", query).Output()
	if err != nil {
		return nil, fmt.Errorf("psql %s: %w", query, err)
	}
	m := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var k string
		var v float64
		if line == "" {
			continue
		}
		if _, err := fmt.Sscan(line, &k, &v); err != nil {
			return nil, errors.New("reading " + query + ": " + err.Error())
		}
		m[k] = v
	}
	return m, nil
}

func printTable(w io.Writer, r *Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "scale\t%g (seed %d), %s, %s\n", r.Scale, r.Seed, r.Machine, r.Date)
	fmt.Fprintf(tw, "generate\t%.1f s\n", r.GenerateSeconds)
	for _, m := range r.Months {
		fmt.Fprintf(tw, "month %s\timport orders %.1f s, usage %.1f s; run as of %s %.1f s (", m.Month, m.ImportSeconds["orders"], m.ImportSeconds["usage"], m.AsOf, m.RunSeconds)
		for i, s := range stages {
			if i > 0 {
				fmt.Fprint(tw, ", ")
			}
			fmt.Fprintf(tw, "%s %.1f", s, m.StageSeconds[s])
		}
		fmt.Fprintf(tw, "), %d invoices\n", m.Invoices)
	}
	if len(r.Months) > 0 {
		fmt.Fprintf(tw, "growth\t%.2f (last month ÷ second month)\n", r.Growth)
		fmt.Fprintf(tw, "the last month:\t\n")
	}
	for _, k := range []string{"accounts", "customers", "products", "prices", "tax-rates", "late-fees", "orders", "usage"} {
		if d, ok := r.ImportSeconds[k]; ok {
			fmt.Fprintf(tw, "import %s\t%.2f s\n", k, d)
		}
	}
	if r.RawCopyRowsPerS > 0 {
		fmt.Fprintf(tw, "import usage\t%.0f rows/s (bare COPY %.0f rows/s: %.2f of it)\n", r.ImportRowsPerS, r.RawCopyRowsPerS, r.ImportVsRawCopy)
	}
	for _, k := range []string{"usage", "orders"} {
		if v, ok := r.SameTableRowsPerS[k]; ok {
			fmt.Fprintf(tw, "import %s\t%.2f of a COPY into a table like the product's (%.0f rows/s)\n", k, r.ImportVsSameTable[k], v)
		}
	}
	for _, s := range stages[:4] {
		fmt.Fprintf(tw, "run stage %s\t%.1f s\n", s, r.StageSeconds[s])
	}
	fmt.Fprintf(tw, "whole run\t%.1f s: %d invoices, %d lines, %d files in all\n", r.CloseSeconds, r.Invoices, r.Lines, r.Files)
	fmt.Fprintf(tw, "collect\t%.1f s: %.0f invoices/s charged, %.0f%% of the run above\n", r.CollectSeconds, r.CollectPerS, 100*r.CollectShare)
	if r.GatewayConcurrency > 0 {
		fmt.Fprintf(tw, "provider\t%.0f ms a call, gateway_concurrency %d, gateway_rate_limit %d/s: ceiling %.0f invoices/s, reached %.0f%% (%d requests, at most %d in flight)\n",
			r.ProviderLatencyMS, r.GatewayConcurrency, r.GatewayRateLimit, r.CollectCeilingPerS, 100*r.CollectOfCeiling, r.ProviderRequests, r.ProviderMaxFlight)
	}
	fmt.Fprintf(tw, "dunning\t%.1f s (every invoice paid by its card: no fee, no reminder)\n", r.DunningSeconds)
	if r.RawCopyRowsPerS > 0 {
		fmt.Fprintf(tw, "limits\taggregate %.1f s + xlsx %.1f s + COPY of the lines %.1f s\n", r.RawAggregateSeconds, r.RawXLSXSeconds, r.RawCopyLinesSeconds)
		fmt.Fprintf(tw, "run ÷ limits\t%.1f\n", r.RunVsRaw)
	}
	fmt.Fprintf(tw, "peak RSS\t%.0f MiB\n", r.PeakRSSMiB)
	fmt.Fprintf(tw, "billing verify\t%.1f s (--files full %.1f s), 0 breaches\n", r.VerifySeconds, r.VerifyFullSeconds)
	tw.Flush()
}

// csvHeader is the first line of a CSV file: its columns, comma-separated.
func csvHeader(file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("reading the header of %s: %w", file, err)
	}
	return strings.TrimSpace(line), nil
}
