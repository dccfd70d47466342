package main

import (
	"context"
	"flag"
	"fmt"
	"time"

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
	// The cards on file are validated on the nightly schedule (SPEC §9);
	// the outbox is sent on the mail schedule when a mail server is set.
	cards, err := jobs.FuncJob("cards", a.cfg.ScheduleNightly, func(ctx context.Context, asOf time.Time) error {
		_, err := p.Payments.Validate(ctx, "", asOf)
		return err
	})
	if err != nil {
		return err
	}
	if cards != nil {
		list = append(list, cards)
	}
	if a.cfg.SMTPAddr != "" {
		sender := a.mailer(p.DB)
		send, err := jobs.FuncJob("mail", a.cfg.ScheduleMail, func(ctx context.Context, _ time.Time) error {
			_, err := sender.Send(ctx, time.Now())
			return err
		})
		if err != nil {
			return err
		}
		if send != nil {
			list = append(list, send)
		}
	} else {
		a.log.Info("mail_disabled", "reason", "smtp_addr is empty: e-mails wait in the outbox")
	}
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
