package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	billingsql "github.com/openbilling/billing/sql"
)

// The run history and the locks of runs (SPEC §12.6): every run is recorded
// as it starts and as it ends, and holds a liveness lock meanwhile, by which
// a later run tells a dead run from a live one.

// RunRecord is one run of the history.
type RunRecord struct {
	RunID      int64      `json:"run_id" db:"run_id"`
	AsOf       time.Time  `json:"as_of" db:"as_of"`
	Stage      string     `json:"stage" db:"stage"`
	StartedAt  time.Time  `json:"started_at" db:"started_at"`
	FinishedAt *time.Time `json:"finished_at" db:"finished_at"`
	Status     string     `json:"status" db:"status"`
	Error      string     `json:"error" db:"error"`
	Counts     Report     `json:"counts" db:"-"`
	RawCounts  []byte     `json:"-" db:"counts"`
}

// ListRuns returns the latest runs, newest first.
func ListRuns(ctx context.Context, db sqlx.QueryerContext, limit int) ([]RunRecord, error) {
	var runs []RunRecord
	if err := sqlx.SelectContext(ctx, db, &runs, billingsql.Query("pipeline_run_list"), limit); err != nil {
		return nil, fmt.Errorf("reading run history: %w", err)
	}
	for i := range runs {
		if err := json.Unmarshal(runs[i].RawCounts, &runs[i].Counts); err != nil {
			return nil, fmt.Errorf("reading counts of run %d: %w", runs[i].RunID, err)
		}
	}
	return runs, nil
}

// runState is a run in progress: its id and the connection that holds its
// liveness lock, by which a later run can tell a dead run from a live one.
type runState struct {
	id   int64
	conn *sqlx.Conn
}

// runLockClass is the first key of the advisory locks of the run history.
const runLockClass = 0x42494c4c // "BILL"

// setWorkMem gives a session of a run the memory its sorts need to stay off
// the disk: a batch's orders, the million rows deriving subscriptions.
const setWorkMem = `SET work_mem = '64MB'`

// closeLockKey serialises closing between processes (see close).
const closeLockKey = 0x434c4f53 // "CLOS"

func (p *Pipeline) startRun(ctx context.Context, asOf time.Time, stage, job string) (*runState, error) {
	conn, err := p.DB.Connx(ctx)
	if err != nil {
		return nil, fmt.Errorf("starting run: %w", err)
	}
	run := &runState{conn: conn}
	if err := conn.GetContext(ctx, &run.id,
		billingsql.Query("pipeline_run_insert"), asOf, stage, job); err != nil {
		conn.Close()
		return nil, fmt.Errorf("recording run: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1, $2)`, runLockClass, int32(run.id)); err != nil {
		conn.Close()
		return nil, fmt.Errorf("locking run %d: %w", run.id, err)
	}
	// The run's own session commits each window, account or file without
	// waiting for the disk: every such transaction is atomic and can be
	// redone, and durable (see durable) before anything outside the
	// database depends on it. One flush per stage instead of one per window.
	for _, set := range []string{`SET synchronous_commit = off`, setWorkMem} {
		if _, err := conn.ExecContext(ctx, set); err != nil {
			conn.Close()
			return nil, fmt.Errorf("preparing run %d: %w", run.id, err)
		}
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
	var running []int64
	if err := p.DB.SelectContext(ctx, &running, billingsql.Query("pipeline_run_list_running"), self); err != nil {
		return fmt.Errorf("reading run history: %w", err)
	}
	for _, id := range running {
		conn, err := p.DB.Connx(ctx)
		if err != nil {
			return err
		}
		var free bool
		err = conn.GetContext(ctx, &free, `SELECT pg_try_advisory_lock($1, $2)`, runLockClass, int32(id))
		if err == nil && free {
			_, err = conn.ExecContext(ctx, billingsql.Query("pipeline_run_mark_interrupted"), id)
			_, _ = conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1, $2)`, runLockClass, int32(id))
		}
		conn.Close()
		if err != nil {
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
	// anyway, and synchronously: its commit waits until the write-ahead log
	// is on disk up to this record, which makes every transaction committed
	// before it durable too, whichever session committed it without waiting
	// (the close's and emit's). A run reports success only after this
	// (SPEC §12.6).
	ctx = context.WithoutCancel(ctx)
	tx, err := p.DB.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("recording the end of run %d: %w", run.id, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if _, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit = on`); err != nil {
		return fmt.Errorf("recording the end of run %d: %w", run.id, err)
	}
	if _, err := tx.ExecContext(ctx,
		billingsql.Query("pipeline_run_finish"), run.id, status, counts, message); err != nil {
		return fmt.Errorf("recording the end of run %d: %w", run.id, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("recording the end of run %d: %w", run.id, err)
	}
	return nil
}

// durable waits until every transaction the run's session committed is on
// disk: a synchronous commit flushes the whole write-ahead log before it.
// A server crash before this point loses whole windows, never part of one,
// and the next run closes them again with the same numbers.
func (r *runState) durable(ctx context.Context) error {
	tx, err := r.conn.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if _, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit = on`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `SELECT txid_current()`); err != nil {
		return err
	}
	return tx.Commit()
}

func (r *runState) release() {
	if r.conn != nil {
		// The session goes back to the pool: its settings go, and with
		// them the liveness lock and any lock a failed stage left held.
		_, _ = r.conn.ExecContext(context.Background(), `RESET ALL; SELECT pg_advisory_unlock_all()`)
		r.conn.Close()
		r.conn = nil
	}
}
