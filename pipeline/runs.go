package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/openbilling/billing/store"
)

// The run history and the locks of runs (§12.6): every run is recorded
// as it starts and as it ends, and holds a liveness lock meanwhile, by which
// a later run tells a dead run from a live one. The queries are the store's.

// RunRecord is one run of the history, its counts decoded.
type RunRecord struct {
	store.Run
	Counts Report `json:"counts"`
}

// ListRuns returns the latest runs, newest first.
func ListRuns(ctx context.Context, db store.Queryer, limit int) ([]RunRecord, error) {
	rows, err := store.ListRuns(ctx, db, limit)
	if err != nil {
		return nil, fmt.Errorf("reading run history: %w", err)
	}
	runs := make([]RunRecord, len(rows))
	for i, r := range rows {
		runs[i].Run = r
		if err := json.Unmarshal(r.Counts, &runs[i].Counts); err != nil {
			return nil, fmt.Errorf("reading counts of run %d: %w", r.RunID, err)
		}
	}
	return runs, nil
}

// runState is a run in progress: its id and the connection that holds its
// liveness lock, by which a later run can tell a dead run from a live one.
type runState struct {
	id   int64
	conn *store.Conn
	seqs map[Stage]int // the units queued so far, by stage
	// takenOver counts, by stage, the units the run did itself after a
	// worker failed or took too long.
	takenOver map[Stage]int
}

func (p *Pipeline) startRun(ctx context.Context, asOf time.Time, stage, job string) (*runState, error) {
	conn, err := p.DB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("starting run: %w", err)
	}
	run := &runState{conn: conn}
	if run.id, err = store.StartRun(ctx, conn, asOf, stage, job); err != nil {
		run.release()
		return nil, fmt.Errorf("recording run: %w", err)
	}
	// The run's own session commits each window, account or file without
	// waiting for the disk: every such transaction is atomic and can be
	// redone, and durable (see durable) before anything outside the
	// database depends on it. One flush per stage instead of one per window.
	if err := store.PrepareRunSession(ctx, conn); err != nil {
		run.release()
		return nil, fmt.Errorf("preparing run %d: %w", run.id, err)
	}
	if err := p.markInterruptedRuns(ctx, run.id); err != nil {
		run.release()
		return nil, err
	}
	return run, nil
}

// markInterruptedRuns records as failed the runs still marked running whose
// process is gone: their liveness lock is free.
func (p *Pipeline) markInterruptedRuns(ctx context.Context, self int64) error {
	running, err := store.RunningRuns(ctx, p.DB, self)
	if err != nil {
		return fmt.Errorf("reading run history: %w", err)
	}
	for _, id := range running {
		if _, err := store.MarkRunInterruptedIfDead(ctx, p.DB, id); err != nil {
			return fmt.Errorf("marking interrupted run %d: %w", id, err)
		}
	}
	return nil
}

func (p *Pipeline) finishRun(ctx context.Context, run *runState, rep *Report, runErr error) error {
	counts, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	status, message := "succeeded", ""
	switch {
	case errors.Is(runErr, ErrStopped):
		status, message = "stopped", runErr.Error()
	case runErr != nil:
		status, message = "failed", runErr.Error()
	}
	// The run's own context may be cancelled (SIGTERM): record the outcome
	// anyway, and synchronously, which makes everything the run committed
	// durable; a run reports success only after this (§12.6).
	if err := store.FinishRun(context.WithoutCancel(ctx), p.DB, run.id, status, counts, message); err != nil {
		return fmt.Errorf("recording the end of run %d: %w", run.id, err)
	}
	// What the units did is in the run's counts now; a unit still queued
	// finds the run ended and does nothing. The units of runs that died
	// go too.
	if err := store.DeleteEndedUnits(context.WithoutCancel(ctx), p.DB); err != nil {
		p.Log.Warn("run_units_not_deleted", "run_id", run.id, "error", err.Error())
	}
	return nil
}

// durable waits until every transaction the run's session committed is on
// disk. A server crash before this point loses whole windows, never part of
// one, and the next run closes them again with the same numbers.
func (r *runState) durable(ctx context.Context) error { return store.Durable(ctx, r.conn) }

// release ends the run's hold on its session: the session goes back to the
// pool with its settings reset, and with them the liveness lock and any lock
// a failed stage left held.
func (r *runState) release() {
	if r.conn != nil {
		store.Release(r.conn)
		r.conn = nil
	}
}
