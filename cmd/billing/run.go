package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/invoices"
	"github.com/openbilling/billing/jobs"
	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/pipeline"
	"github.com/openbilling/billing/queue"
	"github.com/openbilling/billing/store"
)

// asOfFlag is an --as-of instant (RFC 3339), defaulting to now.
func asOfFlag(fs *flag.FlagSet) *string {
	return fs.String("as-of", "", "the run's instant, RFC 3339 (default now)")
}

func parseAsOf(s string) (time.Time, error) {
	if s == "" {
		return time.Now().UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, usageError{fmt.Errorf("--as-of %q is not an RFC 3339 instant such as 2026-07-08T00:00:00Z", s)}
	}
	return t, nil
}

func (a *app) pipeline(ctx context.Context) (*pipeline.Pipeline, func(), error) {
	db, err := a.openDB(ctx)
	if err != nil {
		return nil, nil, err
	}
	pay, err := a.payments(db)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	p := &pipeline.Pipeline{DB: db, Log: a.log, GraceDays: a.cfg.GraceDays, Emitter: a.emitter(), Payments: pay, UnitPatience: a.cfg.UnitPatience,
		PaymentTermsDays: a.cfg.PaymentTermsDays, DueReminderDays: a.cfg.DueReminderDays}
	return p, func() { db.Close() }, nil
}

// workUnits starts working the units of runs' work in this process (up to
// unit_workers at once), and has p queue its own runs' units for every
// process working them: `billing run` and the daemon work their own units,
// and `billing worker` anyone's (docs/SCALING.md); metrics, when given,
// counts them. stop lets the units at hand finish, within shutdown_timeout.
func (a *app) workUnits(ctx context.Context, p *pipeline.Pipeline, metrics *jobs.Metrics) (stop func(), err error) {
	if metrics != nil {
		p.OnUnit = metrics.ObserveUnit
	}
	// Units are worked only on the schema this billing was built for.
	if err := store.CheckSchema(ctx, p.DB); err != nil {
		return nil, err
	}
	units, err := queue.NewUnits(p.DB, p, a.cfg.UnitWorkers, a.queueLog())
	if err != nil {
		return nil, err
	}
	if err := units.Start(ctx); err != nil {
		return nil, fmt.Errorf("starting the worker of units: %w", err)
	}
	p.Units = units
	return func() {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.ShutdownTimeout)
		defer cancel()
		if err := units.Stop(stopCtx); err != nil {
			a.log.Warn("units_stop", "error", err.Error())
		}
	}, nil
}

// queueLog is the job queue's own log: its warnings and errors, whatever
// the level of the product's.
func (a *app) queueLog() *slog.Logger {
	return slog.New(minLevel{a.log.Handler(), slog.LevelWarn})
}

// minLevel passes on the records at or above level.
type minLevel struct {
	slog.Handler
	level slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(attrs), h.level}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.level}
}

func runWorker(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
	if len(args) != 0 {
		return usageError{fmt.Errorf("worker takes no arguments")}
	}
	p, closeDB, err := a.pipeline(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	metrics := jobs.NewMetrics()
	stop, err := a.workUnits(ctx, p, metrics)
	if err != nil {
		return err
	}
	stopWebhooks, err := a.sendWebhooks(ctx, p.DB, p.Payments, metrics)
	if err != nil {
		stop()
		return err
	}
	// Workers sharing a host share its metrics address: the first serves
	// it, the others say so and carry on without.
	stopMetrics := func() {}
	if a.cfg.MetricsAddr != "" {
		if stopMetrics, _, err = metrics.Serve(a.cfg.MetricsAddr, p.DB.Ping, a.log); err != nil {
			a.log.Warn("metrics_unavailable", "error", err.Error())
			stopMetrics = func() {}
		}
	}
	a.log.Info("worker_ready", "unit_workers", a.cfg.UnitWorkers, "webhook_workers", a.cfg.WebhookWorkers, "output_dir", a.cfg.OutputDir)
	<-ctx.Done() // SIGTERM or SIGINT
	a.log.Info("worker_stopping")
	stopMetrics()
	stopWebhooks()
	stop()
	return nil
}

func runRun(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if len(args) != 0 {
		return usageError{fmt.Errorf("run takes no arguments")}
	}
	asOf, err := parseAsOf(fs.Lookup("as-of").Value.String())
	if err != nil {
		return err
	}
	stages, err := pipeline.ParseStages(fs.Lookup("stage").Value.String())
	if err != nil {
		return usageError{err}
	}
	p, closeDB, err := a.pipeline(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	stopUnits, err := a.workUnits(ctx, p, nil)
	if err != nil {
		return err
	}
	defer stopUnits()
	stopProfiles, err := startProfiles(fs.Lookup("cpuprofile").Value.String(), fs.Lookup("memprofile").Value.String())
	if err != nil {
		return err
	}
	defer stopProfiles()
	rep, err := p.Run(ctx, asOf, stages)
	if rep != nil {
		printReport(a.stdout, rep, err)
	}
	return err
}

func printReport(w io.Writer, rep *pipeline.Report, runErr error) {
	status := "succeeded"
	if runErr != nil {
		status = "failed"
	}
	fmt.Fprintf(w, "run %d as of %s (stage %s): %s\n", rep.RunID, rep.AsOf.Format(time.RFC3339), rep.Stage, status)
	stages, _ := pipeline.ParseStages(rep.Stage)
	if slices.Contains(stages, pipeline.StageExtract) {
		fmt.Fprintf(w, "  subscriptions updated: %d\n", rep.Subscriptions)
	}
	if slices.Contains(stages, pipeline.StageRate) {
		fmt.Fprintf(w, "  open windows rated:    %d (%d lines so far)\n", rep.Unbilled, rep.RatedLines)
	}
	fmt.Fprintf(w, "  windows closed:        %d\n  invoices issued:       %d\n  lines written:         %d\n  files written:         %d\n",
		rep.WindowsClosed, rep.Invoices, rep.Lines, rep.Files)
	if c := rep.Collect; c != nil {
		fmt.Fprintf(w, "  charges made:          %d (%d succeeded, %d soft-declined to retry, %d hard-declined, %d without an answer yet)\n",
			c.Charged, c.Succeeded, c.Declined, c.HardDeclined, c.Unknown)
		if c.Settled > 0 {
			fmt.Fprintf(w, "  earlier charges settled: %d\n", c.Settled)
		}
	}
	if d := rep.Dunning; d != nil {
		fmt.Fprintf(w, "  late fees:             %d of %d overdue invoices assessed (%s)\n", d.LateFees, d.Assessed, totals(d.Fees))
		r := d.Reminders
		fmt.Fprintf(w, "  reminders e-mailed:    %d due soon, %d overdue, %d cards expiring\n", r.DueSoon, r.Overdue, r.CardExpiring)
	}
	fmt.Fprintf(w, "  totals:                %s\n", totals(rep.Totals))
	if len(rep.Untaxed) > 0 {
		fmt.Fprintf(w, "  taxed at zero (no rate for the country): %s\n", strings.Join(rep.Untaxed, ", "))
	}
	held := 0
	for _, h := range rep.Held {
		held += h.Records
	}
	fmt.Fprintf(w, "  held:                  %d\n", held)
	for _, h := range rep.Held {
		fmt.Fprintf(w, "    %s, window %s: %d × %s\n", h.AccountID, h.WindowStart, h.Records, h.Reason)
	}
	late := 0
	for _, l := range rep.Late {
		late += l.Orders + l.Usage
	}
	fmt.Fprintf(w, "  late (waiting for billing rerun): %d\n", late)
	for _, l := range rep.Late {
		fmt.Fprintf(w, "    %s, %s window %s: %d orders, %d usage events\n", l.AccountID, l.Billing, l.WindowStart, l.Orders, l.Usage)
	}
	if len(rep.Workers) > 1 { // the run's units were shared (docs/SCALING.md)
		var parts []string
		for _, c := range rep.Workers {
			parts = append(parts, fmt.Sprintf("%s %d", c.Worker, c.Units))
		}
		fmt.Fprintf(w, "  units of work by process: %s\n", strings.Join(parts, ", "))
	}
	if len(rep.Failed) > 0 {
		fmt.Fprintf(w, "  windows that could not close (they stay open): %d\n", len(rep.Failed))
		for _, f := range rep.Failed {
			fmt.Fprintf(w, "    %s, %s window %s: %s\n", f.AccountID, f.Billing, f.WindowStart, f.Error)
		}
	}
	if len(rep.Backdated) > 0 {
		fmt.Fprintf(w, "  warning: records dated more than a year before they were received: %d\n", len(rep.Backdated))
		for _, b := range rep.Backdated {
			fmt.Fprintf(w, "    %s: %d %s, the oldest dated %s\n", b.AccountID, b.Records, b.Kind, b.Oldest)
		}
	}
}

func totals(t map[money.Currency]string) string {
	if len(t) == 0 {
		return "none"
	}
	codes := make([]string, 0, len(t))
	for c := range t {
		codes = append(codes, string(c))
	}
	sort.Strings(codes)
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = t[money.Currency(c)] + " " + c
	}
	return strings.Join(parts, ", ")
}

func runRerun(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if len(args) != 0 {
		return usageError{fmt.Errorf("rerun takes no arguments")}
	}
	get := func(name string) string { return fs.Lookup(name).Value.String() }
	req := pipeline.RerunRequest{AccountID: get("account"), DryRun: get("dry-run") == "true"}
	if req.AccountID == "" || get("window") == "" {
		return usageError{fmt.Errorf("rerun needs --account ID and --window YYYY-MM-DD (the closed window's first day)")}
	}
	var err error
	if req.WindowStart, err = calendar.ParseDate(get("window")); err != nil {
		return usageError{fmt.Errorf("--window: %w", err)}
	}
	switch b := get("billing"); b {
	case "", "anniversary", "calendar":
		req.Billing = calendar.Billing(b)
	default:
		return usageError{fmt.Errorf("--billing %q is not anniversary or calendar", b)}
	}
	if c := get("currency"); c != "" {
		if req.Currency, err = money.ParseCurrency(c); err != nil {
			return usageError{fmt.Errorf("--currency: %w", err)}
		}
	}
	if req.AsOf, err = parseAsOf(get("as-of")); err != nil {
		return err
	}
	p, closeDB, err := a.pipeline(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	rep, err := p.Rerun(ctx, req)
	if err != nil {
		return err
	}
	mode := ""
	if req.DryRun {
		mode = " (dry run: nothing issued)"
	}
	fmt.Fprintf(a.stdout, "rerun of %s window %s–%s for account %s%s\n", rep.Billing, rep.Window.Start, rep.Window.End, rep.Account, mode)
	for _, d := range rep.Differences {
		if len(d.Lines) == 0 {
			fmt.Fprintf(a.stdout, "  %s: no difference from what was invoiced\n", d.Currency)
			continue
		}
		what := "adjustment of " + d.Original
		if d.Original == "" {
			what = "first invoice of the window"
		}
		if d.Number != "" {
			fmt.Fprintf(a.stdout, "  %s: issued %s (%s, %s), %s: subtotal %s, tax %s, total %s\n", d.Currency, d.Number, d.Invoice.Type, what,
				plural(len(d.Lines), "line"), money.Format(d.Invoice.Subtotal, d.Currency), money.Format(d.Invoice.Tax, d.Currency), money.Format(d.Invoice.Total, d.Currency))
		} else {
			fmt.Fprintf(a.stdout, "  %s: would issue a %s invoice (%s), %s: subtotal %s, tax %s, total %s\n", d.Currency, d.Invoice.Type, what,
				plural(len(d.Lines), "line"), money.Format(d.Invoice.Subtotal, d.Currency), money.Format(d.Invoice.Tax, d.Currency), money.Format(d.Invoice.Total, d.Currency))
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "    \tactivity\tcustomer\tsubscription\torder\tcharge\tstart\tend\teff. unit price\tquantity\tamount\t")
		for _, l := range d.Lines {
			sign := "+"
			if l.Reversal {
				sign = "−"
			}
			fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", sign, l.ActivityDate, l.CustomerID, l.SubscriptionID, dash(l.OrderID),
				l.ChargeType, l.ChargeStart, l.ChargeEnd, l.EffectiveUnitPrice, l.Quantity, money.Format(l.Amount, d.Currency))
		}
		tw.Flush()
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func runInvoices(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if len(args) != 0 {
		return usageError{fmt.Errorf("invoices takes no arguments")}
	}
	db, err := a.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := invoices.ListInvoices(ctx, db, fs.Lookup("account").Value.String())
	if err != nil {
		return err
	}
	if fs.Lookup("json").Value.String() == "true" {
		if list == nil {
			list = []invoices.Invoice{}
		}
		return writeJSON(a.stdout, list)
	}
	if len(list) == 0 {
		fmt.Fprintln(a.stdout, "no invoices")
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NUMBER\tACCOUNT\tTYPE\tBILLING\tWINDOW\tISSUED\tCURRENCY\tLINES\tSUBTOTAL\tTAX\tTOTAL\tDUE\tPAYMENT\tDUE DATE\tADJUSTS")
	for _, inv := range list {
		adjusts := "-"
		if inv.Adjusts != nil {
			adjusts = *inv.Adjusts
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s–%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", inv.Number, inv.AccountID, inv.Type, inv.Billing,
			inv.WindowStart, inv.WindowEnd, inv.IssueDate, inv.Currency, inv.LineCount, inv.Subtotal, inv.Tax, inv.Total, inv.AmountDue, inv.Status,
			dueDate(inv.DueDate), adjusts)
	}
	return tw.Flush()
}

func runInvoice(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usageError{fmt.Errorf("usage: billing invoice NUMBER [--json]")}
	}
	db, err := a.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	inv, err := invoices.GetInvoice(ctx, db, args[0])
	if errors.Is(err, invoices.ErrNoInvoice) {
		return fmt.Errorf("no invoice %s (billing invoices lists them)", args[0])
	}
	if err != nil {
		return err
	}
	if fs.Lookup("json").Value.String() == "true" {
		return writeJSON(a.stdout, inv)
	}
	w := a.stdout
	fmt.Fprintf(w, "Invoice %s (%s, %s billing)\n", inv.Number, inv.Type, inv.Billing)
	fmt.Fprintf(w, "Account:  %s\nWindow:   %s – %s\nIssued:   %s\n", inv.AccountID, inv.WindowStart, inv.WindowEnd, inv.IssueDate)
	if inv.DueDate != nil {
		fmt.Fprintf(w, "Due date: %s\n", inv.DueDate)
	}
	if inv.Adjusts != nil {
		fmt.Fprintf(w, "Adjusts:  %s\n", *inv.Adjusts)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\ncustomer\tsubscription\torder\tsku\tcharge\tstart\tend\tunit price\teff. unit price\tquantity\tamount\ttax\ttotal\t")
	for _, l := range inv.Lines {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", l.CustomerID, deref(l.SubscriptionID), deref(l.OrderID), l.SKU,
			l.ChargeType, l.ChargeStart, l.ChargeEnd, l.UnitPrice, l.EffectiveUnitPrice, l.Quantity, l.Amount, l.Tax, l.Total)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nSubtotal: %s %s\nTax:      %s %s\nTotal:    %s %s\nDue:      %s %s (%s)\n", inv.Subtotal, inv.Currency, inv.Tax, inv.Currency, inv.Total, inv.Currency,
		inv.AmountDue, inv.Currency, inv.Status)
	if inv.Files != nil {
		fmt.Fprintf(w, "Files:    %s\n          %s\n", inv.Files.Reconciliation, inv.Files.Invoice)
	} else {
		fmt.Fprintln(w, "Files:    not written yet (billing run --stage emit writes them)")
	}
	return nil
}

// dueDate is an invoice's due date, or "-" for none.
func dueDate(d *calendar.Date) string {
	if d == nil {
		return "-"
	}
	return d.String()
}

func deref(s *string) string {
	if s == nil {
		return "-"
	}
	return *s
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func runRuns(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if len(args) != 0 {
		return usageError{fmt.Errorf("runs takes no arguments")}
	}
	db, err := a.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	runs, err := pipeline.ListRuns(ctx, db, 50)
	if err != nil {
		return err
	}
	if fs.Lookup("json").Value.String() == "true" {
		if runs == nil {
			runs = []pipeline.RunRecord{}
		}
		return writeJSON(a.stdout, runs)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSTAGE\tAS OF\tSTARTED\tSECONDS\tSTATUS\tWINDOWS\tINVOICES\tLINES\tFILES\tERROR")
	for _, r := range runs {
		secs := "-"
		if r.FinishedAt != nil {
			secs = fmt.Sprintf("%.1f", r.FinishedAt.Sub(r.StartedAt).Seconds())
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", r.RunID, r.Stage, r.AsOf.UTC().Format(time.RFC3339),
			r.StartedAt.UTC().Format("2006-01-02 15:04:05"), secs, r.Status, r.Counts.WindowsClosed, r.Counts.Invoices,
			r.Counts.Lines, r.Counts.Files, r.Error)
	}
	return tw.Flush()
}
