package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/openbilling/billing/jobs"
)

func runSchedule(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
	if len(args) != 0 {
		return usageError{fmt.Errorf("schedule takes no arguments")}
	}
	list, err := jobs.ParseJobs(a.cfg.ScheduleNightly, a.cfg.ScheduleClose)
	if err != nil {
		return err
	}
	p, closeDB, err := a.pipeline(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	d := &jobs.Daemon{
		Scheduler:       &jobs.Scheduler{Runner: p, Jobs: list, Log: a.log, Metrics: jobs.NewMetrics()},
		MetricsAddr:     a.cfg.MetricsAddr,
		Ping:            p.DB.PingContext,
		ShutdownTimeout: a.cfg.ShutdownTimeout,
		Ready: func(addr string) {
			a.log.Info("daemon_ready", "metrics_addr", addr)
		},
	}
	return d.Serve(ctx)
}
