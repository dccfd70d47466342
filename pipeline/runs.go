package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

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
	if err := sqlx.SelectContext(ctx, db, &runs, `SELECT run_id, as_of, stage, started_at, finished_at, status,
		coalesce(error, '') AS error, counts FROM pipeline_runs ORDER BY run_id DESC LIMIT $1`, limit); err != nil {
		return nil, fmt.Errorf("reading run history: %w", err)
	}
	for i := range runs {
		if err := json.Unmarshal(runs[i].RawCounts, &runs[i].Counts); err != nil {
			return nil, fmt.Errorf("reading counts of run %d: %w", runs[i].RunID, err)
		}
	}
	return runs, nil
}
