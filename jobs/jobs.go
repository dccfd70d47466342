// Package jobs decides when the pipeline runs: the daemon's cron jobs on
// robfig/cron in UTC, catch-up at start-up, one runner per job, graceful
// shutdown, and the metrics and health endpoints.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/openbilling/billing/pipeline"
)

// Job is a scheduled piece of the pipeline.
type Job struct {
	Name     string
	Spec     string // the cron expression, as configured
	Stages   pipeline.Stages
	schedule cron.Schedule
	running  atomic.Bool
}

// The daemon's jobs.
const (
	JobNightly = "nightly" // extract and rate everything received; report held and late records
	JobClose   = "close"   // close every window due, oldest first, and write the files
)

// ParseJobs builds the daemon's jobs from their cron expressions (standard
// five fields, or descriptors such as @daily or @every 1h), interpreted in
// UTC. An empty expression or "off" leaves a job out.
func ParseJobs(nightly, closeSpec string) ([]*Job, error) {
	var jobs []*Job
	for _, j := range []struct {
		name, spec string
		stages     pipeline.Stages
	}{
		{JobNightly, nightly, pipeline.Stages{pipeline.StageExtract, pipeline.StageRate}},
		{JobClose, closeSpec, pipeline.AllStages()},
	} {
		if j.spec == "" || j.spec == "off" {
			continue
		}
		schedule, err := cron.ParseStandard(j.spec)
		if err != nil {
			return nil, fmt.Errorf("schedule_%s: %q is not a cron expression: %w", j.name, j.spec, err)
		}
		jobs = append(jobs, &Job{Name: j.name, Spec: j.spec, Stages: j.stages, schedule: schedule})
	}
	if len(jobs) == 0 {
		return nil, errors.New("no job is scheduled: set schedule_nightly or schedule_close")
	}
	return jobs, nil
}

// Next is the job's first firing after t, in UTC.
func (j *Job) Next(t time.Time) time.Time { return j.schedule.Next(t.UTC()) }

// Runner runs the pipeline for a job; *pipeline.Pipeline is one.
type Runner interface {
	RunJob(ctx context.Context, job string, asOf time.Time, stages pipeline.Stages) (*pipeline.Report, error)
}

// Scheduler runs jobs: a job never overlaps itself, a failure or panic is
// recorded and the scheduler carries on.
type Scheduler struct {
	Runner  Runner
	Jobs    []*Job
	Log     *slog.Logger
	Metrics *Metrics
	wg      sync.WaitGroup
}

// Run runs job as of now unless it is already running, and reports whether
// it ran. Its error is logged and counted, never returned: the scheduler
// carries on, and the next firing retries what was left.
func (s *Scheduler) Run(ctx context.Context, job *Job, now time.Time) bool {
	if !job.running.CompareAndSwap(false, true) {
		s.Log.Warn("job_skipped", "job", job.Name, "as_of", now.UTC(), "reason", "the previous run of this job is still going")
		return false
	}
	s.wg.Add(1)
	defer s.wg.Done()
	defer job.running.Store(false)
	start := time.Now()
	var rep *pipeline.Report
	var err error
	func() {
		defer func() { // a panic outside the pipeline's own recovery
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		rep, err = s.Runner.RunJob(ctx, job.Name, now.UTC(), job.Stages)
	}()
	s.Metrics.observe(job.Name, time.Since(start), rep, err)
	switch {
	case errors.Is(err, pipeline.ErrStopped):
		s.Log.Info("job_stopped", "job", job.Name, "as_of", now.UTC())
	case err != nil:
		s.Log.Error("job_failed", "job", job.Name, "as_of", now.UTC(), "seconds", time.Since(start).Seconds(), "error", err.Error())
	default:
		s.Log.Info("job_done", "job", job.Name, "as_of", now.UTC(), "seconds", time.Since(start).Seconds(),
			"windows_closed", rep.WindowsClosed, "invoices", rep.Invoices, "lines", rep.Lines, "files", rep.Files,
			"rated_lines", rep.RatedLines)
	}
	return true
}

// Due lists the jobs with a firing in (after, upTo], in the order they are
// configured. Several missed firings of a job count once: each run closes
// everything due by its own as-of instant.
func (s *Scheduler) Due(after, upTo time.Time) []*Job {
	var due []*Job
	for _, j := range s.Jobs {
		if !j.Next(after).After(upTo) {
			due = append(due, j)
		}
	}
	return due
}

// Tick runs, as of now, every job that fell due since the last tick. A
// clock other than the wall clock can drive it (tests, simulations).
func (s *Scheduler) Tick(ctx context.Context, last, now time.Time) {
	for _, j := range s.Due(last, now) {
		s.Run(ctx, j, now)
	}
}

// CatchUp runs the close job as of now: whatever fell due while nothing
// ran is closed, oldest first, as if it had run on time (§3).
func (s *Scheduler) CatchUp(ctx context.Context, now time.Time) {
	for _, j := range s.Jobs {
		if j.Name == JobClose {
			s.Run(ctx, j, now)
		}
	}
}

// Wait waits for the jobs in progress to return.
func (s *Scheduler) Wait() { s.wg.Wait() }
