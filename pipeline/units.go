package pipeline

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/openbilling/billing/pipeline/units"
	"github.com/openbilling/billing/store"
)

// The units of a run's work (package units spreads them): the pipeline
// makes them, works them for any run, and reads back what they did.

func (p *Pipeline) queue() units.Queue {
	if p.Units != nil {
		return p.Units
	}
	p.localOnce.Do(func() { p.local = units.NewLocal(p, localUnits) })
	return p.local
}

// localUnits is how many units a run works at once in its own process: on
// two cores, one rates while the other waits on the database.
const localUnits = 2

// WorkUnit does a unit of a run's work and records it done, unless the run
// has ended or the unit is done already. A failure is recorded too, for the
// run to do the unit itself, and returned (the queue retries it).
func (p *Pipeline) WorkUnit(ctx context.Context, u units.Unit) error {
	running, err := store.RunIsRunning(ctx, p.DB, u.RunID)
	if err != nil || !running {
		return err
	}
	done, err := store.UnitsDone(ctx, p.DB, u.RunID, string(u.Stage), []int{u.Seq})
	if err != nil {
		return err
	}
	if len(done) == 1 && done[0].Error == "" {
		return nil
	}
	start := time.Now()
	err = p.workUnit(ctx, &u)
	if p.OnUnit != nil {
		p.OnUnit(u, time.Since(start), err)
	}
	if err != nil {
		if saveErr := units.Fail(ctx, p.DB, u, err); saveErr != nil {
			p.Log.Error("unit_not_recorded", "run_id", u.RunID, "stage", u.Stage, "seq", u.Seq, "error", saveErr.Error())
		}
		return fmt.Errorf("run %d %s unit %d: %w", u.RunID, u.Stage, u.Seq, err)
	}
	p.Log.Info("unit_done", "run_id", u.RunID, "stage", u.Stage, "seq", u.Seq, "seconds", time.Since(start).Seconds())
	return nil
}

func (p *Pipeline) workUnit(ctx context.Context, u *units.Unit) error {
	u.Begin()
	switch Stage(u.Stage) {
	case StageRate:
		return p.rateUnit(ctx, *u)
	case StageClose:
		return p.closeUnit(ctx, *u)
	case StageEmit:
		return p.emitUnit(ctx, *u)
	case StageCollect:
		return p.collectUnit(ctx, *u)
	default:
		return fmt.Errorf("no units in stage %q", u.Stage)
	}
}

// runShared is what the units of one run's stage rate with and do not
// change: the prices and tax rates the run began the stage with, loaded
// once per stage by each process.
type runShared struct {
	runID int64
	cat   *catalog
}

// sharedKey finds a run's shared data by the catalog its units rate with.
type sharedKey struct {
	runID   int64
	catalog string
}

// sharedKept is the most runs' shared data a process keeps.
const sharedKept = 4

// loadShared loads the catalog as it is now, for a stage of run runID about
// to queue its units, or for a unit.
func (p *Pipeline) loadShared(ctx context.Context, runID int64) (*runShared, error) {
	cat, err := loadCatalog(ctx, p.DB)
	if err != nil {
		return nil, err
	}
	s := &runShared{runID: runID, cat: cat}
	p.sharedMu.Lock()
	defer p.sharedMu.Unlock()
	if p.sharedRuns == nil || len(p.sharedRuns) >= sharedKept {
		p.sharedRuns = map[sharedKey]*runShared{}
	}
	p.sharedRuns[sharedKey{runID, cat.version}] = s
	return s, nil
}

// sharedFor returns what unit u rates with: the catalog its run began the
// stage with, which the unit names. Prices or tax rates changed since
// then fail the unit, and the run does it itself with its own.
func (p *Pipeline) sharedFor(ctx context.Context, u units.Unit) (*runShared, error) {
	p.sharedMu.Lock()
	s := p.sharedRuns[sharedKey{u.RunID, u.Catalog}]
	p.sharedMu.Unlock()
	if s != nil {
		return s, nil
	}
	s, err := p.loadShared(ctx, u.RunID)
	if err != nil {
		return nil, err
	}
	if s.cat.version != u.Catalog {
		return nil, fmt.Errorf("the prices or tax rates changed after run %d began its %s stage", u.RunID, u.Stage)
	}
	return s, nil
}

// rating is the catalog as a unit of the run rates with: over the usage
// the run summed for the stage.
func (s *runShared) rating() *catalog {
	c := *s.cat
	c.usageDays = store.UsageDaysTable(s.runID)
	return &c
}

// unitAccounts reads a unit's accounts, ids in any order and repeated, by
// id: only those, so a worker's memory holds its unit, whatever the scale.
func unitAccounts(ctx context.Context, q store.Queryer, ids []string) (map[string]Account, error) {
	accounts, err := loadAccountsOf(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]Account, len(accounts))
	for _, a := range accounts {
		byID[a.ID] = a
	}
	for _, id := range ids {
		if _, ok := byID[id]; !ok {
			return nil, fmt.Errorf("account %s is unknown", id)
		}
	}
	return byID, nil
}

// WorkerCount is how many units of a run one process did.
type WorkerCount struct {
	Worker string `json:"worker"`
	Units  int    `json:"units"`
}

// addSeconds adds to one of the report's timings.
func (r *Report) addSeconds(key string, seconds float64) {
	if r.Seconds == nil {
		r.Seconds = map[string]float64{}
	}
	r.Seconds[key] += seconds
}

// unitDone counts a finished unit in the run's report.
func (r *Report) unitDone(worker string) {
	for i := range r.Workers {
		if r.Workers[i].Worker == worker {
			r.Workers[i].Units++
			return
		}
	}
	r.Workers = append(r.Workers, WorkerCount{Worker: worker, Units: 1})
	sort.Slice(r.Workers, func(i, j int) bool { return r.Workers[i].Worker < r.Workers[j].Worker })
}

// spread numbers a stage's units on from the stage's last (collect queues
// a round at a time), queues them, and returns them to wait for in order;
// each found done counts in the report, and a unit the run does itself in
// the run's takenOver.
func (p *Pipeline) spread(ctx context.Context, run *runState, rep *Report, list []units.Unit) (*units.Spread, error) {
	if run.seqs == nil {
		run.seqs = map[Stage]int{}
	}
	for i := range list {
		st := Stage(list[i].Stage)
		list[i].Seq = run.seqs[st]
		run.seqs[st]++
	}
	s := &units.Spread{DB: p.DB, Log: p.Log, RunID: run.id, Units: list, Patience: p.UnitPatience, Checkpoint: checkpoint,
		DoItself: func(ctx context.Context, u units.Unit) error {
			if run.takenOver == nil {
				run.takenOver = map[Stage]int{}
			}
			run.takenOver[Stage(u.Stage)]++
			return p.workUnit(ctx, &u)
		},
		Done: func(u units.Unit, d store.UnitDone) {
			rep.unitDone(d.Worker)
			rep.addSeconds(u.Stage+"_units", d.Seconds)
		}}
	return s, s.Start(ctx, p.queue())
}
