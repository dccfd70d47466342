package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"github.com/jmoiron/sqlx"

	billingsql "github.com/openbilling/billing/sql"
)

// The units of work of runs in progress (run_units).
var (
	unitSave        = named[unitRecord](billingsql.Query("run_unit_save"))
	unitList        = named[unitsAsked](billingsql.Query("run_unit_list"))
	unitResult      = named[unitKey](billingsql.Query("run_unit_result"))
	runIsRunning    = billingsql.Query("pipeline_run_is_running")
	unitDeleteEnded = billingsql.Query("run_unit_delete_ended")
)

// UnitDone is a unit of a run's work that is done, or failed.
type UnitDone struct {
	Seq     int     `db:"seq"`
	Counts  []byte  `db:"counts"`
	Error   string  `db:"error"`
	Worker  string  `db:"worker"`
	Seconds float64 `db:"seconds"`
}

// SaveUnit records a unit done (errText empty) or failed, and reports
// whether it did: false when the unit was already done, by another worker.
func SaveUnit(ctx context.Context, q Queryer, runID int64, stage string, seq int, result, counts []byte, errText, worker string, seconds float64) (bool, error) {
	if counts == nil {
		counts = []byte("{}")
	}
	var got int
	err := unitSave.get(ctx, q.ext(), &got, unitRecord{runID, stage, seq, result, counts, errText, worker, seconds})
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// UnitsDone lists which of the units seqs of a run's stage are done or failed.
func UnitsDone(ctx context.Context, q Queryer, runID int64, stage string, seqs []int) ([]UnitDone, error) {
	var out []UnitDone
	err := unitList.sel(ctx, q.ext(), &out, unitsAsked{runID, stage, seqs})
	return out, err
}

// UnitResult is the result of a unit that is done.
func UnitResult(ctx context.Context, q Queryer, runID int64, stage string, seq int) ([]byte, error) {
	var out []byte
	err := unitResult.get(ctx, q.ext(), &out, unitKey{runID, stage, seq})
	return out, err
}

// DeleteEndedUnits forgets the units of every run that is not in
// progress: those that ended, and those found dead.
func DeleteEndedUnits(ctx context.Context, q Queryer) error {
	_, err := q.ext().ExecContext(ctx, unitDeleteEnded)
	return err
}

// RunIsRunning reports whether run id is still in progress.
func RunIsRunning(ctx context.Context, q Queryer, runID int64) (bool, error) {
	var running bool
	err := sqlx.GetContext(ctx, q.ext(), &running, runIsRunning, runID)
	return running, err
}

// UsageDaysTable names run runID's table of usage summed per day (see
// SumUsageDays), which the run's units read.
func UsageDaysTable(runID int64) string { return usageDaysPrefix + strconv.FormatInt(runID, 10) }

// unitsAsked are the parameters of run_unit_list.
type unitsAsked struct {
	RunID int64  `db:"run_id"`
	Stage string `db:"stage"`
	Seqs  []int  `db:"seqs"`
}

// unitKey are the parameters of run_unit_result.
type unitKey struct {
	RunID int64  `db:"run_id"`
	Stage string `db:"stage"`
	Seq   int    `db:"seq"`
}

// unitRecord are the parameters of run_unit_save.
type unitRecord struct {
	RunID   int64   `db:"run_id"`
	Stage   string  `db:"stage"`
	Seq     int     `db:"seq"`
	Result  []byte  `db:"result"`
	Counts  []byte  `db:"counts"`
	Error   string  `db:"error"`
	Worker  string  `db:"worker"`
	Seconds float64 `db:"seconds"`
}
