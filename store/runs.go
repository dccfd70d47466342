package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/jmoiron/sqlx"

	billingsql "github.com/openbilling/billing/sql"
)

// Run is one run of the history (pipeline_runs).
type Run struct {
	RunID      int64      `db:"run_id" json:"run_id"`
	AsOf       time.Time  `db:"as_of" json:"as_of"`
	Stage      string     `db:"stage" json:"stage"`
	StartedAt  time.Time  `db:"started_at" json:"started_at"`
	FinishedAt *time.Time `db:"finished_at" json:"finished_at"`
	Status     string     `db:"status" json:"status"`
	Error      string     `db:"error" json:"error"`
	Counts     []byte     `db:"counts" json:"-"` // the run's report, as JSON
}

// The queries of the run history, resolved at start-up.
var (
	runInsert          = named[newRun](billingsql.Query("pipeline_run_insert"))
	runListRunning     = billingsql.Query("pipeline_run_list_running")
	runMarkInterrupted = billingsql.Query("pipeline_run_mark_interrupted")
	runFinish          = named[runEnd](billingsql.Query("pipeline_run_finish"))
	runList            = billingsql.Query("pipeline_run_list")
)

// runLockClass is the first key of the runs' liveness locks.
const runLockClass = 0x42494c4c // "BILL"

// StartRun records a run as it starts, running, and takes its liveness
// lock on conn's session, held until the session ends or UnlockAll: the lock
// tells later runs that this one is alive. Both happen in one transaction,
// so that no other run ever sees this one running with its lock free and
// records it as interrupted (MarkRunInterruptedIfDead) while it starts.
func StartRun(ctx context.Context, conn *Conn, asOf time.Time, stage, job string) (int64, error) {
	tx, err := conn.x.BeginTxx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	var id int64
	if err := runInsert.get(ctx, tx, &id, newRun{asOf, stage, job}); err != nil {
		return 0, err
	}
	// A session-level lock: taken in the transaction, it outlives its commit.
	if _, err := lockPair.exec(ctx, tx, lockKey{runLockClass, int32(id)}); err != nil {
		return 0, err
	}
	return id, tx.Commit()
}

// RunningRuns lists the runs still marked running, other than self.
func RunningRuns(ctx context.Context, q Queryer, self int64) ([]int64, error) {
	var ids []int64
	err := sqlx.SelectContext(ctx, q.ext(), &ids, runListRunning, self)
	return ids, err
}

// MarkRunInterruptedIfDead records run id as failed ("interrupted") when its
// liveness lock is free, that is when its process is gone, and reports
// whether it did. It takes and gives back the lock on a session of its own.
func MarkRunInterruptedIfDead(ctx context.Context, db *DB, id int64) (bool, error) {
	conn, err := db.x.Connx(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	var free bool
	if err := tryLockPair.get(ctx, conn, &free, lockKey{runLockClass, int32(id)}); err != nil || !free {
		return false, err
	}
	defer unlockPair.exec(context.WithoutCancel(ctx), conn, lockKey{runLockClass, int32(id)}) //nolint:errcheck // the session is closed next
	res, err := conn.ExecContext(ctx, runMarkInterrupted, id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected() // 0: it ended meanwhile
	return n == 1, err
}

// FinishRun records how run id ended, synchronously: the commit waits until
// the write-ahead log is on disk up to this record, which makes every
// transaction committed before it durable too, whichever session committed it
// without waiting (§12.6).
func FinishRun(ctx context.Context, db *DB, id int64, status string, counts []byte, message string) error {
	tx, err := db.x.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if _, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit = on`); err != nil {
		return err
	}
	if _, err := runFinish.exec(ctx, tx, runEnd{id, status, counts, message}); err != nil {
		return err
	}
	return tx.Commit()
}

// ListRuns returns the latest runs, newest first.
func ListRuns(ctx context.Context, q Queryer, limit int) ([]Run, error) {
	var runs []Run
	err := sqlx.SelectContext(ctx, q.ext(), &runs, runList, limit)
	return runs, err
}

// Durable waits until every transaction the session of conn committed is on
// disk: a synchronous commit flushes the whole write-ahead log before it.
func Durable(ctx context.Context, conn *Conn) error {
	tx, err := conn.x.BeginTxx(ctx, &sql.TxOptions{})
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

// Release hands a session back to the pool as it found it: its settings
// reset and every advisory lock it holds given back.
func Release(conn *Conn) {
	_, _ = conn.x.ExecContext(context.Background(), `RESET ALL; SELECT pg_advisory_unlock_all()`)
	conn.x.Close()
}

// newRun are the parameters of pipeline_run_insert.
type newRun struct {
	AsOf  time.Time `db:"as_of"`
	Stage string    `db:"stage"`
	Job   string    `db:"job"`
}

// runEnd are the parameters of pipeline_run_finish.
type runEnd struct {
	ID      int64  `db:"run_id"`
	Status  string `db:"status"`
	Counts  []byte `db:"counts"`
	Message string `db:"error"`
}
