package jobs

import (
	"context"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/openbilling/billing/pipeline"
)

// Daemon is `billing schedule`: the scheduler on a cron clock in UTC, with
// the metrics server.
type Daemon struct {
	Scheduler       *Scheduler
	MetricsAddr     string // empty: no HTTP server
	Ping            func(context.Context) error
	ShutdownTimeout time.Duration
	Now             func() time.Time // the clock; time.Now when nil
	// Ready, if set, is called with the metrics server's address once the
	// daemon has finished its start-up catch-up and scheduled its jobs.
	Ready func(metricsAddr string)
}

// Serve runs until ctx is cancelled (SIGTERM, SIGINT). It first closes every
// window already due (catch-up), then runs each job on its schedule. On
// shutdown it takes no new work, lets the run at hand finish its current
// window or file, and after ShutdownTimeout cancels it: its transaction
// rolls back, leaving nothing half-done. It returns nil after a clean stop.
func (d *Daemon) Serve(ctx context.Context) error {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	s := d.Scheduler
	stop := make(chan struct{})
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	work = pipeline.WithStop(work, stop)

	stopServing, addr := func() {}, ""
	if d.MetricsAddr != "" {
		var err error
		if stopServing, addr, err = s.Metrics.Serve(d.MetricsAddr, d.Ping, s.Log); err != nil {
			return err
		}
	}
	for _, j := range s.Jobs {
		s.Log.Info("job_scheduled", "job", j.Name, "schedule", j.Spec, "next", j.Next(now()))
	}

	// On shutdown: take no new work at once, and cancel the work at hand
	// if it has not finished within the timeout.
	finished := make(chan struct{})
	go func() {
		<-ctx.Done()
		s.Log.Info("daemon_stopping", "shutdown_timeout", d.ShutdownTimeout.String())
		close(stop)
		select {
		case <-finished:
		case <-time.After(d.ShutdownTimeout):
			s.Log.Warn("daemon_shutdown_timeout", "action", "cancelling the run at hand; its transaction rolls back")
			cancelWork()
		}
	}()

	c := cron.New(cron.WithLocation(time.UTC))
	for _, j := range s.Jobs {
		c.Schedule(j.schedule, cron.FuncJob(func() { s.Run(work, j, now()) }))
	}
	s.CatchUp(work, now()) // windows that fell due while nothing ran
	if ctx.Err() == nil {
		c.Start()
		if d.Ready != nil {
			d.Ready(addr)
		}
		<-ctx.Done()
	}
	<-c.Stop().Done() // no new firings; the jobs running return
	s.Wait()
	close(finished)
	stopServing()
	s.Log.Info("daemon_stopped")
	return nil
}
