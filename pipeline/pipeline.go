// Package pipeline runs the billing stages over the stored orders and usage:
// extract, rate, close and emit (§1, §3–§7). Each stage is idempotent:
// running it again for the same as-of instant finds its work done.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/internal/runstop"
	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/payments"
	"github.com/openbilling/billing/pipeline/units"
	"github.com/openbilling/billing/store"
)

// Stage names a part of a run (§10).
type Stage string

// The stages, in the order a run takes them.
const (
	StageExtract Stage = "extract"
	StageRate    Stage = "rate"
	StageClose   Stage = "close"
	StageEmit    Stage = "emit"
	StageCollect Stage = "collect"
	StageDunning Stage = "dunning"
)

// allStages is every stage in pipeline order: what "all" means.
var allStages = Stages{StageExtract, StageRate, StageClose, StageEmit, StageCollect, StageDunning}

// Stages are the stages of one run, in pipeline order.
type Stages []Stage

// AllStages is the whole pipeline.
func AllStages() Stages { return append(Stages(nil), allStages...) }

// ParseStages reads "all" or a comma-separated list such as "extract,rate".
// The stages run in pipeline order whatever the order given.
func ParseStages(s string) (Stages, error) {
	if s == "all" {
		return AllStages(), nil
	}
	given := map[Stage]bool{}
	for _, part := range strings.Split(s, ",") {
		st := Stage(strings.TrimSpace(part))
		switch st {
		case StageExtract, StageRate, StageClose, StageEmit, StageCollect, StageDunning:
			given[st] = true
		default:
			return nil, fmt.Errorf("unknown stage %q (all, or any of extract, rate, close, emit, collect, dunning separated by commas)", part)
		}
	}
	var out Stages
	for _, st := range allStages {
		if given[st] {
			out = append(out, st)
		}
	}
	return out, nil
}

// String is "all" for the whole pipeline, else the stages joined by commas.
func (s Stages) String() string {
	if len(s) == len(allStages) {
		return "all"
	}
	parts := make([]string, len(s))
	for i, st := range s {
		parts[i] = string(st)
	}
	return strings.Join(parts, ",")
}

func (s Stages) includes(part Stage) bool {
	for _, st := range s {
		if st == part {
			return true
		}
	}
	return false
}

// ErrStopped is returned by a run asked to stop (a daemon shutting down):
// it finished the window or file at hand and left the rest to the next run.
var ErrStopped = runstop.ErrStopped

// WithStop returns a context whose runs stop taking new work once stop is
// closed: each finishes the window, account or file at hand, while the
// context itself stays valid for the transaction in progress.
func WithStop(ctx context.Context, stop <-chan struct{}) context.Context {
	return runstop.With(ctx, stop)
}

// checkpoint is called between units of work: it says whether to go on.
func checkpoint(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if runstop.Requested(ctx) {
		return ErrStopped
	}
	return nil
}

// Emitter writes the files of finalized invoices (the emit stage).
type Emitter interface {
	// Emit writes the files of every invoice that lacks them or whose file
	// is missing or altered, and returns how many files it wrote.
	Emit(ctx context.Context, db *store.DB) (int, error)
}

// Pipeline is the billing pipeline over one database.
type Pipeline struct {
	DB        *store.DB
	Log       *slog.Logger
	GraceDays int // days to wait after a closing date (§3)
	// PaymentTermsDays is how many days after its issue date an invoice is
	// due, for an account without payment terms of its own (§13).
	PaymentTermsDays int
	// DueReminderDays is how many days before its due date an invoice's
	// contact is reminded (§13); below zero, never.
	DueReminderDays int
	Emitter         Emitter // optional; without it the emit stage writes nothing
	// Payments charges the new invoices (the collect stage) and pays
	// refunds back to cards (§9); optional: without it the collect
	// stage charges nothing and paybacks wait for a run that has it.
	Payments *payments.Service
	// Units hands the run's units of work to the worker processes; nil:
	// the run works them itself, two at a time (see units.go).
	Units units.Queue
	// UnitPatience is how long a run waits for a unit before doing it
	// itself (default units.DefaultPatience).
	UnitPatience time.Duration
	// OnUnit, when set, is told of each unit this process worked for a
	// queue (metrics).
	OnUnit func(u units.Unit, d time.Duration, err error)

	localOnce  sync.Once
	local      *units.Local
	sharedMu   sync.Mutex
	sharedRuns map[sharedKey]*runShared
	ownRuns    sync.Map      // the runs in progress in this process, by id
	results    units.Results // what units worked here hand their run in this process
}

// Report is what a run did, for the operator and the run history.
type Report struct {
	RunID         int64                     `json:"run_id"`
	AsOf          time.Time                 `json:"as_of"`
	Stage         string                    `json:"stage"`
	Job           string                    `json:"job,omitempty"`
	Subscriptions int                       `json:"subscriptions"`
	WindowsClosed int                       `json:"windows_closed"`
	Invoices      int                       `json:"invoices"`
	Lines         int                       `json:"lines"`
	Files         int                       `json:"files"`
	Totals        map[money.Currency]string `json:"totals"`
	Held          []HeldCount               `json:"held"`
	Late          []LateCount               `json:"late"`
	Untaxed       []string                  `json:"untaxed_countries"`
	Unbilled      int                       `json:"unbilled_windows"`
	Failed        []FailedWindow            `json:"failed_windows,omitempty"`
	Backdated     []BackdatedCount          `json:"backdated,omitempty"`
	RatedLines    int                       `json:"rated_lines"`
	Collect       *payments.CollectReport   `json:"collect,omitempty"`
	Dunning       *DunningReport            `json:"dunning,omitempty"`
	Workers       []WorkerCount             `json:"units_by_worker,omitempty"`
	// Seconds times the run: each stage's wall time; for a stage spread in
	// units, what the run did before queueing them (STAGE_prepare) and the
	// seconds its units took in all (STAGE_units); for close, the seconds
	// the run spent writing the closed windows (close_writes). The prepare
	// and write parts are those no worker can take (docs/SCALING.md).
	Seconds map[string]float64 `json:"seconds,omitempty"`
	totals  map[money.Currency]decimal.Decimal
}

// HeldCount is how many records of an account's window wait, and why.
type HeldCount struct {
	AccountID   string `json:"account_id" db:"account_id"`
	WindowStart string `json:"window_start" db:"window_start"`
	Reason      string `json:"reason" db:"reason"`
	Records     int    `json:"records" db:"records"`
}

// BackdatedCount is how many records of an account, received since the
// previous run, are dated more than a year before they arrived: a warning.
type BackdatedCount struct {
	AccountID string `json:"account_id"`
	Kind      string `json:"kind"`
	Records   int    `json:"records"`
	Oldest    string `json:"oldest"`
}

// FailedWindow is a due window that could not close and stays open, with
// the reason; the run's other windows close and it exits non-zero.
type FailedWindow struct {
	AccountID   string `json:"account_id"`
	Billing     string `json:"billing"`
	WindowStart string `json:"window_start"`
	Error       string `json:"error"`
}

// ErrWindowsFailed is returned by a run in which some windows could not
// close: the others closed and their files were written.
var ErrWindowsFailed = errors.New("due windows could not close")

// LateCount is how many records arrived for a window after it closed and
// wait for a rerun (§7).
type LateCount struct {
	AccountID   string `json:"account_id"`
	Billing     string `json:"billing"`
	WindowStart string `json:"window_start"`
	Orders      int    `json:"orders"`
	Usage       int    `json:"usage_events"`
}

func (r *Report) addTotal(c money.Currency, v decimal.Decimal) {
	if r.totals == nil {
		r.totals = map[money.Currency]decimal.Decimal{}
	}
	r.totals[c] = r.totals[c].Add(v)
}

func (r *Report) finish() {
	r.Totals = map[money.Currency]string{}
	for c, v := range r.totals {
		r.Totals[c] = money.Format(v, c)
	}
	sort.Slice(r.Held, func(i, j int) bool {
		a, b := r.Held[i], r.Held[j]
		if a.AccountID != b.AccountID {
			return a.AccountID < b.AccountID
		}
		if a.WindowStart != b.WindowStart {
			return a.WindowStart < b.WindowStart
		}
		return a.Reason < b.Reason
	})
	sort.Strings(r.Untaxed)
}

// Run runs the given stages as of asOf and records the run in the history,
// whatever its outcome.
func (p *Pipeline) Run(ctx context.Context, asOf time.Time, stages Stages) (*Report, error) {
	return p.RunJob(ctx, "", asOf, stages)
}

// RunJob is Run for a scheduled job, whose name the run history keeps. A
// panic inside the run is recovered and recorded as the run's failure.
func (p *Pipeline) RunJob(ctx context.Context, job string, asOf time.Time, stages Stages) (rep *Report, err error) {
	rep = &Report{AsOf: asOf.UTC(), Stage: stages.String(), Job: job}
	run, err := p.startRun(ctx, asOf, rep.Stage, job)
	if err != nil {
		return nil, err
	}
	defer run.release()
	p.ownRuns.Store(run.id, true)
	defer p.ownRuns.Delete(run.id)
	defer p.results.Forget(run.id)
	rep.RunID = run.id
	p.Log.Info("run_started", "run_id", run.id, "job", job, "as_of", rep.AsOf, "stage", rep.Stage)
	start := time.Now()
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v", r)
				p.Log.Error("run_panicked", "run_id", run.id, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			}
		}()
		err = p.runStages(ctx, run, rep, stages)
	}()
	rep.finish()
	if finishErr := p.finishRun(ctx, run, rep, err); finishErr != nil && err == nil {
		err = finishErr
	}
	attrs := []any{"run_id", run.id, "job", job, "as_of", rep.AsOf, "stage", rep.Stage, "seconds", time.Since(start).Seconds(),
		"windows_closed", rep.WindowsClosed, "invoices", rep.Invoices, "lines", rep.Lines, "files", rep.Files}
	// The error itself is logged once, where the run was asked for: the
	// daemon's job, or the command line's last line.
	status := "succeeded"
	switch {
	case errors.Is(err, ErrStopped):
		status = "stopped"
	case err != nil:
		status = "failed"
	}
	p.Log.Info("run_finished", append(attrs, "status", status)...)
	if err != nil {
		return rep, fmt.Errorf("run %d as of %s: %w", run.id, rep.AsOf.Format(time.RFC3339), err)
	}
	return rep, nil
}

func (p *Pipeline) runStages(ctx context.Context, run *runState, rep *Report, stages Stages) error {
	// Each stage runs when asked for (and, for emit and collect, when this
	// pipeline has what it needs), timed in the report.
	steps := []struct {
		stage Stage
		skip  bool
		do    func() error
	}{
		{StageExtract, false, func() error { return p.extract(ctx, run, rep) }},
		{StageRate, false, func() error { return p.rate(ctx, run, rep) }},
		{StageClose, false, func() error {
			err := p.close(ctx, run, rep)
			if flushErr := run.durable(context.WithoutCancel(ctx)); err == nil && flushErr != nil {
				err = flushErr
			}
			return err
		}},
		{StageEmit, p.Emitter == nil, func() error { return p.emit(ctx, run, rep) }},
		{StageCollect, p.Payments == nil, func() error { return p.collect(ctx, run, rep) }},
		{StageDunning, p.Payments == nil, func() error { return p.dunning(ctx, run, rep) }},
	}
	for _, step := range steps {
		if !stages.includes(step.stage) || step.skip {
			continue
		}
		began := time.Now()
		err := step.do()
		rep.addSeconds(string(step.stage), time.Since(began).Seconds())
		if err != nil {
			return fmt.Errorf("%s: %w", step.stage, err)
		}
		if step.stage == StageClose || (step.stage == StageExtract && !stages.includes(StageClose)) {
			if err := p.countLate(ctx, run, rep); err != nil {
				return err
			}
		}
	}
	if n := len(rep.Failed); n > 0 {
		f := rep.Failed[0]
		return fmt.Errorf("close: %w (%d); the first: %s window %s of account %s: %s", ErrWindowsFailed, n, f.Billing, f.WindowStart, f.AccountID, f.Error)
	}
	return nil
}

// ErrWindowNotClosed is returned by Rerun for a window that was never closed.
var ErrWindowNotClosed = errors.New("window is not closed")
