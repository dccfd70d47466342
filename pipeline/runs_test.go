package pipeline

import (
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/openbilling/billing/internal/testkit/pgtest"
	"github.com/openbilling/billing/store"
)

// A run is recorded and takes its liveness lock at once: another run
// starting meanwhile, which records as interrupted every run marked running
// whose lock is free, never takes a run that is starting for a dead one.
// (Recorded first and locked next, two runs started together could do so:
// the second then dropped the first's usage sums as a dead run's.)
func TestARunStartingIsNeverTakenForAnInterruptedOne(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.NewDB(t)
	ctx := t.Context()
	p := &Pipeline{DB: store.New(db), Log: slog.New(slog.DiscardHandler)}
	const starts = 150
	done := make(chan struct{})
	var wg sync.WaitGroup
	var marked []int64 // runs taken for dead: every run here is alive
	wg.Add(1)
	go func() { // what another run does as it starts, over and over
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			running, err := store.RunningRuns(ctx, store.New(db), 0)
			if err != nil {
				t.Error(err)
				return
			}
			for _, id := range running {
				if dead, err := store.MarkRunInterruptedIfDead(ctx, store.New(db), id); err != nil || dead {
					marked = append(marked, id)
				}
			}
		}
	}()
	for range starts {
		run, err := p.startRun(ctx, time.Date(2026, 8, 8, 0, 0, 0, 0, time.UTC), "all", "")
		if err != nil {
			t.Fatal(err)
		}
		err = p.finishRun(ctx, run, &Report{RunID: run.id}, nil)
		run.release()
		if err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	wg.Wait()
	if len(marked) != 0 {
		t.Errorf("of %d runs started while others started, %d were taken for interrupted ones: %v", starts, len(marked), marked)
	}
}
