package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/emit"
	"github.com/openbilling/billing/store"
)

// A run spreads the heavy part of its stages over any number of worker
// processes (§10: billing worker; docs/SCALING.md): it splits a stage into
// units of work, queues them (UnitQueue), and reads back what each did from
// run_units. The units are batches of accounts to rate, batches of windows
// of one closing date to rate for closing, invoices whose files to write,
// and invoices to charge. What must stay in one order stays with the run:
// it writes the closed windows in closing-date order and numbers their
// invoices there, so numbers are gap-free and follow issue dates whoever
// rated the windows.
//
// A unit is done once: its row in run_units is written in the transaction
// of its work, and a worker that finds it written does nothing. A run that
// waits longer than UnitPatience for a unit, or finds that it failed, does
// the unit itself: a killed worker's unit is finished, by another worker
// or by the run, without waiting for the queue to notice.

// Unit is one unit of a run's work, as queued.
type Unit struct {
	RunID int64     `json:"run_id"`
	Stage Stage     `json:"stage"`
	Seq   int       `json:"seq"`
	AsOf  time.Time `json:"as_of"`
	// rate: the accounts whose open windows to rate.
	Accounts []string `json:"accounts,omitempty"`
	// close: the due windows, all of one closing date, to rate.
	Windows []UnitWindow `json:"windows,omitempty"`
	// emit: the invoices with the kinds of file to write.
	Files []emit.FileTask `json:"files,omitempty"`
	// collect: the invoices to charge, of distinct accounts.
	Invoices []string `json:"invoices,omitempty"`
	// rate and close: the version of the prices and tax rates the run
	// began the stage with, which its units rate with.
	Catalog string `json:"catalog,omitempty"`

	started time.Time // when this process began the unit
}

// UnitWindow is a due window of a close unit.
type UnitWindow struct {
	AccountID string           `json:"account_id"`
	Billing   calendar.Billing `json:"billing"`
	Start     calendar.Date    `json:"start"`
	End       calendar.Date    `json:"end"`
	Closes    calendar.Date    `json:"closes"`
}

// UnitQueue hands a run's units to the processes that work them (package
// queue: jobs of River, worked by `billing worker`, the daemon, and the run
// itself).
type UnitQueue interface {
	Enqueue(ctx context.Context, units []Unit) error
}

// DefaultUnitPatience is how long a run waits for a unit before doing it
// itself: well beyond a unit's usual second or two.
const DefaultUnitPatience = 30 * time.Second

// localQueue works a run's units in the run's own process, localUnits at a
// time: the queue of a pipeline given none.
type localQueue struct {
	p   *Pipeline
	sem chan struct{}
}

// localUnits is how many units a run works at once in its own process: on
// two cores, one rates while the other waits on the database.
const localUnits = 2

func (q *localQueue) Enqueue(ctx context.Context, units []Unit) error {
	for _, u := range units {
		go func() {
			select {
			case q.sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-q.sem }()
			_ = q.p.WorkUnit(ctx, u) // a failure is recorded for the run
		}()
	}
	return nil
}

func (p *Pipeline) queue() UnitQueue {
	if p.Units != nil {
		return p.Units
	}
	p.localOnce.Do(func() { p.local = &localQueue{p: p, sem: make(chan struct{}, localUnits)} })
	return p.local
}

// workerName names this process in run_units: host and process id.
var workerName = func() string {
	host, _ := os.Hostname()
	return host + ":" + strconv.Itoa(os.Getpid())
}()

// WorkUnit does a unit of a run's work and records it done, unless the run
// has ended or the unit is done already. A failure is recorded too, for the
// run to do the unit itself, and returned (the queue retries it).
func (p *Pipeline) WorkUnit(ctx context.Context, u Unit) error {
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
	err = p.workUnit(ctx, u)
	if p.OnUnit != nil {
		p.OnUnit(u, time.Since(start), err)
	}
	if err != nil {
		if _, saveErr := store.SaveUnit(context.WithoutCancel(ctx), p.DB, u.RunID, string(u.Stage), u.Seq, nil, nil, err.Error(), workerName,
			time.Since(start).Seconds()); saveErr != nil {
			p.Log.Error("unit_not_recorded", "run_id", u.RunID, "stage", u.Stage, "seq", u.Seq, "error", saveErr.Error())
		}
		return fmt.Errorf("run %d %s unit %d: %w", u.RunID, u.Stage, u.Seq, err)
	}
	p.Log.Info("unit_done", "run_id", u.RunID, "stage", u.Stage, "seq", u.Seq, "seconds", time.Since(start).Seconds())
	return nil
}

func (p *Pipeline) workUnit(ctx context.Context, u Unit) error {
	u.started = time.Now()
	switch u.Stage {
	case StageRate:
		return p.rateUnit(ctx, u)
	case StageClose:
		return p.closeUnit(ctx, u)
	case StageEmit:
		return p.emitUnit(ctx, u)
	case StageCollect:
		return p.collectUnit(ctx, u)
	default:
		return fmt.Errorf("no units in stage %q", u.Stage)
	}
}

// saveUnit records a unit done with its result and counts, in q (the
// transaction of the unit's work, or the database), and reports whether it
// did: false when another worker did the unit first.
func saveUnit(ctx context.Context, q store.Queryer, u Unit, result []byte, counts any) (bool, error) {
	b, err := json.Marshal(counts)
	if err != nil {
		return false, err
	}
	return store.SaveUnit(ctx, q, u.RunID, string(u.Stage), u.Seq, result, b, "", workerName, time.Since(u.started).Seconds())
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
func (p *Pipeline) sharedFor(ctx context.Context, u Unit) (*runShared, error) {
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

// spread queues a stage's units and waits for them in order. The run does
// itself a unit that failed, and a unit it has waited for longer than
// UnitPatience: its worker may have been killed.
type spread struct {
	p       *Pipeline
	run     *runState
	rep     *Report
	units   []Unit
	pending map[int]bool // by position in units
	done    map[int]store.UnitDone
}

// spread numbers the units on from the stage's last (collect queues a round
// at a time) and queues them.
func (p *Pipeline) spread(ctx context.Context, run *runState, rep *Report, units []Unit) (*spread, error) {
	s := &spread{p: p, run: run, rep: rep, units: units, pending: map[int]bool{}, done: map[int]store.UnitDone{}}
	if len(units) == 0 {
		return s, nil
	}
	if run.seqs == nil {
		run.seqs = map[Stage]int{}
	}
	for i := range units {
		units[i].Seq = run.seqs[units[i].Stage]
		run.seqs[units[i].Stage]++
		s.pending[i] = true
	}
	if err := p.queue().Enqueue(ctx, units); err != nil {
		return nil, fmt.Errorf("queueing %d %s units: %w", len(units), units[0].Stage, err)
	}
	return s, nil
}

// await waits until the i-th unit is done, and returns its record.
func (s *spread) await(ctx context.Context, i int) (store.UnitDone, error) {
	poll, began := time.Millisecond, time.Now()
	for {
		if d, ok := s.done[i]; ok {
			return d, nil
		}
		if err := checkpoint(ctx); err != nil {
			return store.UnitDone{}, err
		}
		if err := s.look(ctx); err != nil {
			return store.UnitDone{}, err
		}
		if _, ok := s.done[i]; ok {
			continue
		}
		patience := s.p.UnitPatience
		if patience <= 0 {
			patience = DefaultUnitPatience
		}
		if waited := time.Since(began); waited > patience {
			s.p.Log.Warn("unit_taken_over", "run_id", s.run.id, "stage", s.units[i].Stage, "seq", s.units[i].Seq, "waited_seconds", waited.Seconds())
			if err := s.doItself(ctx, i); err != nil {
				return store.UnitDone{}, err
			}
			continue
		}
		select {
		case <-ctx.Done():
			return store.UnitDone{}, ctx.Err()
		case <-time.After(poll):
		}
		poll = min(2*poll, 50*time.Millisecond)
	}
}

// awaitAll waits until every unit is done and returns their records in order.
func (s *spread) awaitAll(ctx context.Context) ([]store.UnitDone, error) {
	out := make([]store.UnitDone, len(s.units))
	for i := range s.units {
		d, err := s.await(ctx, i)
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	return out, nil
}

// look reads which pending units are done; a failed one the run does itself.
func (s *spread) look(ctx context.Context) error {
	at := make(map[int]int, len(s.pending)) // position by seq
	seqs := make([]int, 0, len(s.pending))
	for i := range s.pending {
		at[s.units[i].Seq] = i
		seqs = append(seqs, s.units[i].Seq)
	}
	rows, err := store.UnitsDone(ctx, s.p.DB, s.run.id, string(s.units[0].Stage), seqs)
	if err != nil {
		return fmt.Errorf("reading the run's units: %w", err)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Seq < rows[j].Seq })
	for _, d := range rows {
		i := at[d.Seq]
		if d.Error != "" {
			s.p.Log.Warn("unit_failed", "run_id", s.run.id, "stage", s.units[i].Stage, "seq", d.Seq, "worker", d.Worker, "error", d.Error)
			if err := s.doItself(ctx, i); err != nil {
				return err
			}
			continue
		}
		s.finish(i, d)
	}
	return nil
}

func (s *spread) finish(i int, d store.UnitDone) {
	delete(s.pending, i)
	s.done[i] = d
	s.rep.unitDone(d.Worker)
	s.rep.addSeconds(string(s.units[i].Stage)+"_units", d.Seconds)
}

// doItself does the i-th unit in the run's process, and fails the stage
// when that fails.
func (s *spread) doItself(ctx context.Context, i int) error {
	u := s.units[i]
	if s.run.takenOver == nil {
		s.run.takenOver = map[Stage]int{}
	}
	s.run.takenOver[u.Stage]++
	if err := s.p.workUnit(ctx, u); err != nil {
		return fmt.Errorf("%s unit %d: %w", u.Stage, u.Seq, err)
	}
	rows, err := store.UnitsDone(ctx, s.p.DB, s.run.id, string(u.Stage), []int{u.Seq})
	if err != nil {
		return err
	}
	if len(rows) != 1 || rows[0].Error != "" {
		return fmt.Errorf("%s unit %d was not recorded done", u.Stage, u.Seq)
	}
	s.finish(i, rows[0])
	return nil
}
