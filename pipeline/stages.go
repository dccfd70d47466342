package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/openbilling/billing/emit"
	"github.com/openbilling/billing/payments"
	"github.com/openbilling/billing/pipeline/units"
	"github.com/openbilling/billing/store"
)

// UnitEmitter is an Emitter whose files any process may write, in units:
// a FileEmitter over an output directory every worker mounts.
type UnitEmitter interface {
	Emitter
	PlanEmit(ctx context.Context, db *store.DB) (*emit.Plan, error)
	EmitFiles(ctx context.Context, db *store.DB, tasks []emit.FileTask, sync bool) (int, error)
}

// emitUnitInvoices is the most invoices whose files one emit unit writes.
const emitUnitInvoices = 2000

// emit is the emit stage: the run finds the files to write, under the emit
// lock, and any worker writes them, in units (§8).
func (p *Pipeline) emit(ctx context.Context, run *runState, rep *Report) error {
	ue, ok := p.Emitter.(UnitEmitter)
	if !ok {
		n, err := p.Emitter.Emit(ctx, p.DB)
		rep.Files += n
		return err
	}
	began := time.Now()
	plan, err := ue.PlanEmit(ctx, p.DB)
	if err != nil {
		return err
	}
	defer plan.Close()
	rep.addSeconds("emit_prepare", time.Since(began).Seconds())
	var todo []units.Unit
	for start := 0; start < len(plan.Tasks); start += emitUnitInvoices {
		todo = append(todo, units.Unit{RunID: run.id, Stage: string(StageEmit), AsOf: rep.AsOf, Files: plan.Tasks[start:min(start+emitUnitInvoices, len(plan.Tasks))]})
	}
	if err := p.awaitCounts(ctx, run, rep, todo, func(b []byte) error {
		var c emitCounts
		err := json.Unmarshal(b, &c)
		rep.Files += c.Files
		return err
	}); err != nil {
		return err
	}
	return plan.Finish(ctx, rep.Files)
}

// emitCounts are what an emit unit counted.
type emitCounts struct {
	Files int `json:"files"`
}

// emitUnit writes a unit's files.
func (p *Pipeline) emitUnit(ctx context.Context, u units.Unit) error {
	ue, ok := p.Emitter.(UnitEmitter)
	if !ok {
		return fmt.Errorf("this process writes no invoice files: its output directory is not set")
	}
	// The units of a run of this process are made durable once, at the
	// stage's end, by the run; a worker's before it records them done.
	_, own := p.ownRuns.Load(u.RunID)
	n, err := ue.EmitFiles(ctx, p.DB, u.Files, !own)
	if err != nil {
		return err
	}
	_, err = units.Save(ctx, p.DB, u, nil, emitCounts{Files: n})
	return err
}

// collect is the collect stage (§9): the run settles the charges
// whose outcome is unknown and lists the invoices due, and any worker
// charges them, in units of up to CollectBatch accounts, each unit its
// accounts' invoices a round at a time: an account's second invoice is
// charged once its first one's outcome is known.
func (p *Pipeline) collect(ctx context.Context, run *runState, rep *Report) error {
	began := time.Now()
	plan, err := p.Payments.PlanCollect(ctx, rep.AsOf)
	rep.addSeconds("collect_prepare", time.Since(began).Seconds())
	rep.Collect = &payments.CollectReport{Settled: plan.Settled}
	if err != nil {
		return err
	}
	var todo []units.Unit
	for _, rounds := range plan.Groups {
		todo = append(todo, units.Unit{RunID: run.id, Stage: string(StageCollect), AsOf: rep.AsOf, Rounds: rounds})
	}
	if err := p.awaitCounts(ctx, run, rep, todo, func(b []byte) error {
		var c payments.CollectReport
		err := json.Unmarshal(b, &c)
		rep.Collect.Add(c)
		return err
	}); err != nil {
		return err
	}
	// A worker killed between committing its charges and recording their
	// outcome left them pending, and the unit done again skips them: they
	// are settled now, under their keys (sent if the gateway never had
	// them), rather than by the next run.
	if run.takenOver[StageCollect] > 0 {
		n, err := p.Payments.SettleUnknown(ctx, "", rep.AsOf)
		rep.Collect.Settled += n
		if err != nil {
			return fmt.Errorf("settling the charges of todo taken over: %w", err)
		}
	}
	return nil
}

// collectUnit charges a unit's invoices. The charges are committed before
// the gateway is called, under keys that make a second worker's attempt at
// the same invoice a no-op (§12: no card is charged twice).
func (p *Pipeline) collectUnit(ctx context.Context, u units.Unit) error {
	if p.Payments == nil {
		return fmt.Errorf("this process has no payment gateway")
	}
	rounds := u.Rounds
	if len(u.Invoices) > 0 {
		rounds = append([][]string{u.Invoices}, rounds...)
	}
	var c payments.CollectReport
	for _, round := range rounds {
		got, err := p.Payments.CollectInvoices(ctx, u.AsOf, round)
		c.Add(got)
		if err != nil {
			return err
		}
	}
	_, err := units.Save(ctx, p.DB, u, nil, c)
	return err
}

// awaitCounts queues units that need no order, waits for them all and
// reads each one's counts.
func (p *Pipeline) awaitCounts(ctx context.Context, run *runState, rep *Report, todo []units.Unit, add func([]byte) error) error {
	if len(todo) == 0 {
		return nil
	}
	sp, err := p.spread(ctx, run, rep, todo)
	if err != nil {
		return err
	}
	done, err := sp.AwaitAll(ctx)
	if err != nil {
		return err
	}
	for _, d := range done {
		if err := add(d.Counts); err != nil {
			return fmt.Errorf("reading %s unit %d: %w", todo[0].Stage, d.Seq, err)
		}
	}
	return nil
}
