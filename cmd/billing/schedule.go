package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/robfig/cron/v3"

	"github.com/openbilling/billing/jobs"
	"github.com/openbilling/billing/queue"
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
	metrics := jobs.NewMetrics()
	stopUnits, err := a.workUnits(ctx, p, metrics)
	if err != nil {
		return err
	}
	defer stopUnits()
	stopWebhooks, err := a.sendWebhooks(ctx, p.DB, p.Payments, metrics)
	if err != nil {
		return err
	}
	defer stopWebhooks()
	// The background work of payments runs as jobs of the queue (§9):
	// e-mail as it is written (when a mail server is set), settling and due
	// auto-charges every ten minutes, the cards on file on the nightly
	// schedule.
	cfg := queue.Config{DB: p.DB, Payments: p.Payments, Log: a.log}
	if a.cfg.ScheduleNightly != "" && a.cfg.ScheduleNightly != "off" {
		if cfg.Cards, err = cron.ParseStandard(a.cfg.ScheduleNightly); err != nil {
			return fmt.Errorf("schedule_nightly: %w", err)
		}
	}
	if a.cfg.SMTPAddr != "" {
		cfg.Mail = a.mailer(p.DB)
	} else {
		a.log.Info("mail_disabled", "reason", "smtp_addr is empty: e-mails wait in the outbox")
	}
	worker, err := queue.NewWorker(cfg)
	if err != nil {
		return err
	}
	if err := worker.Start(ctx); err != nil {
		return fmt.Errorf("starting the job queue's worker: %w", err)
	}
	defer func() {
		stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.ShutdownTimeout)
		defer cancel()
		if err := worker.Stop(stop); err != nil {
			a.log.Warn("queue_stop", "error", err.Error())
		}
	}()
	d := &jobs.Daemon{
		Scheduler:       &jobs.Scheduler{Runner: p, Jobs: list, Log: a.log, Metrics: metrics},
		MetricsAddr:     a.cfg.MetricsAddr,
		Ping:            p.DB.Ping,
		ShutdownTimeout: a.cfg.ShutdownTimeout,
		Ready: func(addr string) {
			a.log.Info("daemon_ready", "metrics_addr", addr)
		},
	}
	return d.Serve(ctx)
}
