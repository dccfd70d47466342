// Package units spreads a run's work over any number of processes (§10:
// billing worker; docs/SCALING.md): a run splits a stage into units of
// work, queues them (Queue), and reads back what each did from run_units.
// The units are batches of accounts to rate, batches of windows of one
// closing date to rate for closing, invoices whose files to write, and
// invoices to charge. What must stay in one order stays with the run: it
// writes the closed windows in closing-date order and numbers their
// invoices there, so numbers are gap-free and follow issue dates whoever
// rated the windows.
//
// A unit is done once: its row in run_units is written in the transaction
// of its work, and a worker that finds it written does nothing. A run that
// waits longer than its patience for a unit, or finds that it failed, does
// the unit itself: a killed worker's unit is finished, by another worker
// or by the run, without waiting for the queue to notice.
package units

import (
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/emit"
	"github.com/openbilling/billing/store"
)

// Unit is one unit of a run's work, as queued.
type Unit struct {
	RunID int64     `json:"run_id"`
	Stage string    `json:"stage"`
	Seq   int       `json:"seq"`
	AsOf  time.Time `json:"as_of"`
	// rate: the accounts whose open windows to rate.
	Accounts []string `json:"accounts,omitempty"`
	// close: the due windows, all of one closing date, to rate.
	Windows []Window `json:"windows,omitempty"`
	// emit: the invoices with the kinds of file to write.
	Files []emit.FileTask `json:"files,omitempty"`
	// collect: a group's rounds of invoices, each round of distinct
	// accounts and charged once the round before it is known
	// (CollectPlan.Groups); Invoices is the one round of a unit queued by
	// a billing from before groups, worked first.
	Invoices []string   `json:"invoices,omitempty"`
	Rounds   [][]string `json:"rounds,omitempty"`
	// rate and close: the version of the prices and tax rates the run
	// began the stage with, which its units rate with.
	Catalog string `json:"catalog,omitempty"`

	started time.Time // when this process began the unit
}

// Begin marks the unit begun by this process now, for the seconds Save records.
func (u *Unit) Begin() { u.started = time.Now() }

// Window is a due window of a close unit.
type Window struct {
	AccountID string           `json:"account_id"`
	Billing   calendar.Billing `json:"billing"`
	Start     calendar.Date    `json:"start"`
	End       calendar.Date    `json:"end"`
	Closes    calendar.Date    `json:"closes"`
}

// Queue hands a run's units to the processes that work them (package
// queue: jobs of River, worked by `billing worker`, the daemon, and the run
// itself).
type Queue interface {
	Enqueue(ctx context.Context, units []Unit) error
}

// Worker does units: the pipeline.
type Worker interface {
	WorkUnit(ctx context.Context, u Unit) error
}

// DefaultPatience is how long a run waits for a unit before doing it
// itself: well beyond a unit's usual second or two.
const DefaultPatience = 30 * time.Second

// Local works a run's units in the run's own process, a few at a time:
// the queue of a pipeline given none.
type Local struct {
	w   Worker
	sem chan struct{}
}

// NewLocal is a Local queue working n units at once.
func NewLocal(w Worker, n int) *Local { return &Local{w: w, sem: make(chan struct{}, n)} }

// Enqueue starts working the units, n at a time.
func (q *Local) Enqueue(ctx context.Context, units []Unit) error {
	for _, u := range units {
		go func() {
			select {
			case q.sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-q.sem }()
			_ = q.w.WorkUnit(ctx, u) // a failure is recorded for the run
		}()
	}
	return nil
}

// WorkerName names this process in run_units: host and process id.
var WorkerName = func() string {
	host, _ := os.Hostname()
	return host + ":" + strconv.Itoa(os.Getpid())
}()

// Save records a unit done with its result and counts, in q (the
// transaction of the unit's work, or the database), and reports whether it
// did: false when another worker did the unit first.
func Save(ctx context.Context, q store.Queryer, u Unit, result []byte, counts any) (bool, error) {
	b, err := json.Marshal(counts)
	if err != nil {
		return false, err
	}
	return store.SaveUnit(ctx, q, u.RunID, u.Stage, u.Seq, result, b, "", WorkerName, time.Since(u.started).Seconds())
}

// Fail records that this process failed the unit, for its run to do it.
func Fail(ctx context.Context, db *store.DB, u Unit, cause error) error {
	_, err := store.SaveUnit(context.WithoutCancel(ctx), db, u.RunID, u.Stage, u.Seq, nil, nil, cause.Error(), WorkerName,
		time.Since(u.started).Seconds())
	return err
}

// The codec of what a unit hands its run. A unit's counts are JSON, which
// the run history keeps as they are; a close unit's result (its assembled
// invoices) is gob, which the run decodes on its critical path in a
// fraction of JSON's time. A unit worked in its run's own process hands
// its result over in memory (Results), encoded for no one.

// EncodeResult encodes a unit's result.
func EncodeResult(v any) ([]byte, error) {
	var buf bytes.Buffer
	err := gob.NewEncoder(&buf).Encode(v)
	return buf.Bytes(), err
}

// DecodeResult decodes a unit's result into v.
func DecodeResult(b []byte, v any) error { return gob.NewDecoder(bytes.NewReader(b)).Decode(v) }

// DecodeCounts decodes a unit's counts into v.
func DecodeCounts(b []byte, v any) error { return json.Unmarshal(b, v) }

// Results holds the results of units worked in their run's own process,
// until the run takes them: at most Most at once (memory stays bounded
// when the units run ahead of the run), the others go by their record.
type Results struct {
	mu   sync.Mutex
	m    map[resultKey]any
	Most int // 0: MostResults
}

// MostResults is how many results Results holds at once by default: a few
// batches ahead of the run writing them.
const MostResults = 4

type resultKey struct {
	run   int64
	stage string
	seq   int
}

// Put keeps u's result and reports whether it did: false when it holds
// Most already, and the result is to go by the unit's record.
func (r *Results) Put(u Unit, v any) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	most := r.Most
	if most <= 0 {
		most = MostResults
	}
	k := resultKey{u.RunID, u.Stage, u.Seq}
	if _, again := r.m[k]; !again && len(r.m) >= most {
		return false
	}
	if r.m == nil {
		r.m = map[resultKey]any{}
	}
	r.m[k] = v
	return true
}

// Take hands over u's result, if this process kept it.
func (r *Results) Take(u Unit) (any, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := resultKey{u.RunID, u.Stage, u.Seq}
	v, ok := r.m[k]
	delete(r.m, k)
	return v, ok
}

// Forget drops what is kept of a run's units (the run has ended).
func (r *Results) Forget(runID int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k := range r.m {
		if k.run == runID {
			delete(r.m, k)
		}
	}
}

// Spread is a stage's units queued and awaited in order. The run does
// itself a unit that failed, and a unit it has waited for longer than
// Patience: its worker may have been killed.
type Spread struct {
	DB       *store.DB
	Log      *slog.Logger
	RunID    int64
	Units    []Unit
	Patience time.Duration // DefaultPatience when 0
	// Checkpoint says whether the run goes on waiting (its context, a
	// request to stop).
	Checkpoint func(ctx context.Context) error
	// DoItself does a unit in the run's process.
	DoItself func(ctx context.Context, u Unit) error
	// Done is told of each unit as it is found done.
	Done func(u Unit, d store.UnitDone)

	pending map[int]bool // by position in Units
	done    map[int]store.UnitDone
}

// Start queues the units on q; their Seq are set already.
func (s *Spread) Start(ctx context.Context, q Queue) error {
	s.pending, s.done = map[int]bool{}, map[int]store.UnitDone{}
	if len(s.Units) == 0 {
		return nil
	}
	for i := range s.Units {
		s.pending[i] = true
	}
	if err := q.Enqueue(ctx, s.Units); err != nil {
		return fmt.Errorf("queueing %d %s units: %w", len(s.Units), s.Units[0].Stage, err)
	}
	return nil
}

// Await waits until the i-th unit is done, and returns its record.
func (s *Spread) Await(ctx context.Context, i int) (store.UnitDone, error) {
	poll, began := time.Millisecond, time.Now()
	patience := s.Patience
	if patience <= 0 {
		patience = DefaultPatience
	}
	for {
		if d, ok := s.done[i]; ok {
			return d, nil
		}
		if err := s.Checkpoint(ctx); err != nil {
			return store.UnitDone{}, err
		}
		if err := s.look(ctx); err != nil {
			return store.UnitDone{}, err
		}
		if _, ok := s.done[i]; ok {
			continue
		}
		if waited := time.Since(began); waited > patience {
			s.Log.Warn("unit_taken_over", "run_id", s.RunID, "stage", s.Units[i].Stage, "seq", s.Units[i].Seq, "waited_seconds", waited.Seconds())
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

// AwaitAll waits until every unit is done and returns their records in order.
func (s *Spread) AwaitAll(ctx context.Context) ([]store.UnitDone, error) {
	out := make([]store.UnitDone, len(s.Units))
	for i := range s.Units {
		d, err := s.Await(ctx, i)
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	return out, nil
}

// look reads which pending units are done; a failed one the run does itself.
func (s *Spread) look(ctx context.Context) error {
	at := make(map[int]int, len(s.pending)) // position by seq
	seqs := make([]int, 0, len(s.pending))
	for i := range s.pending {
		at[s.Units[i].Seq] = i
		seqs = append(seqs, s.Units[i].Seq)
	}
	rows, err := store.UnitsDone(ctx, s.DB, s.RunID, s.Units[0].Stage, seqs)
	if err != nil {
		return fmt.Errorf("reading the run's units: %w", err)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Seq < rows[j].Seq })
	for _, d := range rows {
		i := at[d.Seq]
		if d.Error != "" {
			s.Log.Warn("unit_failed", "run_id", s.RunID, "stage", s.Units[i].Stage, "seq", d.Seq, "worker", d.Worker, "error", d.Error)
			if err := s.doItself(ctx, i); err != nil {
				return err
			}
			continue
		}
		s.finish(i, d)
	}
	return nil
}

func (s *Spread) finish(i int, d store.UnitDone) {
	delete(s.pending, i)
	s.done[i] = d
	if s.Done != nil {
		s.Done(s.Units[i], d)
	}
}

// doItself does the i-th unit in the run's process, and fails the stage
// when that fails.
func (s *Spread) doItself(ctx context.Context, i int) error {
	u := s.Units[i]
	if err := s.DoItself(ctx, u); err != nil {
		return fmt.Errorf("%s unit %d: %w", u.Stage, u.Seq, err)
	}
	rows, err := store.UnitsDone(ctx, s.DB, s.RunID, u.Stage, []int{u.Seq})
	if err != nil {
		return err
	}
	if len(rows) != 1 || rows[0].Error != "" {
		return fmt.Errorf("%s unit %d was not recorded done", u.Stage, u.Seq)
	}
	s.finish(i, rows[0])
	return nil
}
