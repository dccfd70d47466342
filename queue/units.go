package queue

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"

	"github.com/openbilling/billing/pipeline"
	"github.com/openbilling/billing/pipeline/units"
	"github.com/openbilling/billing/store"
)

// RunUnit is a unit of a run's work (units.Unit): a batch of accounts to
// rate, of windows to rate for closing, of invoices whose files to write or
// to charge. Its jobs live in store.UnitSchema, apart from the background
// work's.
type RunUnit struct {
	units.Unit
}

// Kind names the job.
func (RunUnit) Kind() string { return "run_unit" }

// InsertOpts retries a failed unit a few times; the run does it itself
// meanwhile (pipeline.UnitPatience), so a retry is most often a no-op.
func (RunUnit) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 5} }

// unitTimeout bounds one unit: a few seconds' work in the usual run.
const unitTimeout = 10 * time.Minute

type unitWorker struct {
	river.WorkerDefaults[RunUnit]
	p *pipeline.Pipeline
}

func (w *unitWorker) Work(ctx context.Context, job *river.Job[RunUnit]) error {
	return w.p.WorkUnit(ctx, job.Args.Unit)
}

func (w *unitWorker) Timeout(*river.Job[RunUnit]) time.Duration { return unitTimeout }

// Units works the runs' units of work, at most Workers at once, and queues
// a run's units for every process working them (pipeline.UnitQueue):
// `billing worker`, the daemon, and `billing run`, which works its own.
type Units struct {
	client *river.Client[store.DriverTx]
}

// NewUnits returns a worker of the units of runs of p, working up to
// workers of them at once.
func NewUnits(db *store.DB, p *pipeline.Pipeline, workers int, log *slog.Logger) (*Units, error) {
	ws := river.NewWorkers()
	if err := river.AddWorkerSafely(ws, &unitWorker{p: p}); err != nil {
		return nil, err
	}
	client, err := river.NewClient(riverdatabasesql.New(db.DriverDB()), &river.Config{
		Schema:  store.UnitSchema,
		Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: max(1, workers)}},
		Workers: ws, Logger: log,
		// Without LISTEN (database/sql), an idle worker polls for units.
		FetchPollInterval: 100 * time.Millisecond, FetchCooldown: 10 * time.Millisecond,
		JobTimeout: unitTimeout, RescueStuckJobsAfter: unitTimeout + 5*time.Minute,
	})
	if err != nil {
		return nil, fmt.Errorf("preparing the worker of units: %w", err)
	}
	return &Units{client: client}, nil
}

// insertChunk is the most units queued in one statement.
const insertChunk = 1000

// Enqueue queues a run's units.
func (u *Units) Enqueue(ctx context.Context, units []units.Unit) error {
	for start := 0; start < len(units); start += insertChunk {
		chunk := units[start:min(start+insertChunk, len(units))]
		params := make([]river.InsertManyParams, len(chunk))
		for i, unit := range chunk {
			params[i] = river.InsertManyParams{Args: RunUnit{Unit: unit}}
		}
		if _, err := u.client.InsertMany(ctx, params); err != nil {
			return err
		}
	}
	return nil
}

// Start begins working units; like Worker's, they outlive ctx.
func (u *Units) Start(ctx context.Context) error { return start(ctx, u.client) }

// Stop takes no new unit, waits for the units at hand to finish until ctx
// ends, then cancels those still running.
func (u *Units) Stop(ctx context.Context) error { return stop(ctx, u.client) }
