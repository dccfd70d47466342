package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/openbilling/billing/events"
	"github.com/openbilling/billing/jobs"
	"github.com/openbilling/billing/payments"
	"github.com/openbilling/billing/queue"
	"github.com/openbilling/billing/store"
	"github.com/openbilling/billing/webhooks"
)

// webhooks is the webhook service over db: its deliveries queued on the
// job queue, its disabled endpoints e-mailed to operator_email.
func (a *app) webhooks(db *store.DB, pay *payments.Service) (*webhooks.Service, error) {
	s := &webhooks.Service{DB: db, AllowHTTP: a.cfg.WebhookAllowHTTP, Client: webhooks.NewClient(a.cfg.WebhookAllowPrivate)}
	if to := a.operatorEmails(); len(to) > 0 && pay != nil {
		s.Notify = func(ctx context.Context, tx *store.Tx, key, subject, body string) error {
			return pay.NotifyOperators(ctx, tx, to, key, subject, body)
		}
	}
	q, err := queue.NewWebhooks(db, queue.WebhookConfig{Log: a.queueLog()})
	if err != nil {
		return nil, err
	}
	s.Queue = q
	return s, nil
}

func (a *app) operatorEmails() []string {
	var out []string
	for _, addr := range strings.Split(a.cfg.OperatorEmail, ",") {
		if addr = strings.TrimSpace(addr); addr != "" {
			out = append(out, addr)
		}
	}
	return out
}

// sendWebhooks starts sending webhook deliveries in this process (up to
// webhook_workers at once): the daemon and billing worker do. stop lets the
// attempts at hand finish, within shutdown_timeout.
func (a *app) sendWebhooks(ctx context.Context, db *store.DB, pay *payments.Service, metrics *jobs.Metrics) (stop func(), err error) {
	s, err := a.webhooks(db, pay)
	if err != nil {
		return nil, err
	}
	// Each delivery runs a few short queries: its workers reuse sessions
	// instead of opening one per query.
	db.KeepIdle(a.cfg.WebhookWorkers + a.cfg.UnitWorkers + 8)
	s.Observe = metrics.ObserveWebhook
	metrics.WatchWebhookLag(func(ctx context.Context) (time.Duration, error) { return store.WebhookLag(ctx, db, time.Now()) }, a.log)
	sender, err := queue.NewWebhooks(db, queue.WebhookConfig{Service: s, Workers: a.cfg.WebhookWorkers, InFlight: metrics.WebhookInFlight,
		Log: a.queueLog()})
	if err != nil {
		return nil, err
	}
	s.Queue = sender
	if err := sender.Start(ctx); err != nil {
		return nil, fmt.Errorf("starting the sender of webhooks: %w", err)
	}
	return func() {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.ShutdownTimeout)
		defer cancel()
		if err := sender.Stop(stopCtx); err != nil {
			a.log.Warn("webhooks_stop", "error", err.Error())
		}
	}, nil
}

// runWebhooks is "billing webhooks add|list|remove|enable|rotate-secret|test|replay|deliveries" (§14).
func runWebhooks(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if len(args) == 0 {
		return usageError{errors.New("usage: billing webhooks add|list|remove|enable|rotate-secret|test|replay|deliveries ...")}
	}
	verb, rest := args[0], args[1:]
	asJSON := fs.Lookup("json").Value.String() == "true"
	needID := func() (string, error) {
		if len(rest) != 1 {
			return "", usageError{fmt.Errorf("usage: billing webhooks %s ID", verb)}
		}
		return rest[0], nil
	}
	db, err := a.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	pay, err := a.payments(db)
	if err != nil {
		return err
	}
	s, err := a.webhooks(db, pay)
	if err != nil {
		return err
	}
	switch verb {
	case "add":
		if len(rest) != 0 {
			return usageError{errors.New("usage: billing webhooks add --url URL [--events T,...] [--account ID] [--description TEXT]")}
		}
		req := webhooks.AddRequest{URL: fs.Lookup("url").Value.String(), AccountID: fs.Lookup("account").Value.String(),
			Description: fs.Lookup("description").Value.String()}
		if req.URL == "" {
			return usageError{errors.New("webhooks add: --url is required")}
		}
		if list := fs.Lookup("events").Value.String(); list != "" {
			for _, t := range strings.Split(list, ",") {
				req.Events = append(req.Events, strings.TrimSpace(t))
			}
		}
		e, secret, err := s.Add(ctx, req)
		if err != nil {
			return err
		}
		// The id alone on the first line, the secret alone on the second:
		// shown this once (§14).
		fmt.Fprintln(a.stdout, e.ID)
		fmt.Fprintln(a.stdout, secret)
		return nil
	case "list":
		list, err := s.List(ctx)
		if err != nil {
			return err
		}
		if asJSON {
			return writeJSON(a.stdout, list)
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSTATUS\tURL\tEVENTS\tACCOUNT\tDESCRIPTION")
		for _, e := range list {
			account := "*"
			if e.AccountID != nil {
				account = *e.AccountID
			}
			status := e.Status
			if e.DisabledReason != "" {
				status += " (" + e.DisabledReason + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, status, e.URL, strings.Join(e.Events, ","), account, e.Description)
		}
		return tw.Flush()
	case "remove":
		id, err := needID()
		if err != nil {
			return err
		}
		if err := s.Remove(ctx, id); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "removed %s\n", id)
		return nil
	case "enable":
		id, err := needID()
		if err != nil {
			return err
		}
		made, err := s.Enable(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "enabled %s; %d deliveries of what it missed queued\n", id, made)
		return nil
	case "rotate-secret":
		id, err := needID()
		if err != nil {
			return err
		}
		secret, err := s.RotateSecret(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, secret)
		fmt.Fprintf(a.stderr, "the secret before this one still signs for %s\n", webhooks.RotationOverlap)
		return nil
	case "test":
		id, err := needID()
		if err != nil {
			return err
		}
		delivery, err := s.Test(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "queued delivery %d of a webhook.test event to %s\n", delivery, id)
		return nil
	case "replay":
		id, err := needID()
		if err != nil {
			return err
		}
		event, since := fs.Lookup("event").Value.String(), fs.Lookup("since").Value.String()
		if (event == "") == (since == "") {
			return usageError{errors.New("usage: billing webhooks replay ID (--event EVT | --since RFC3339)")}
		}
		var at time.Time
		if since != "" {
			if at, err = time.Parse(time.RFC3339, since); err != nil {
				return usageError{fmt.Errorf("--since %q is not an RFC 3339 instant", since)}
			}
		}
		n, err := s.Replay(ctx, id, event, at)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "queued %d deliveries to %s\n", n, id)
		return nil
	case "deliveries":
		id, err := needID()
		if err != nil {
			return err
		}
		list, err := s.Deliveries(ctx, id, fs.Lookup("failed").Value.String() == "true", 100)
		if err != nil {
			return err
		}
		if asJSON {
			return writeJSON(a.stdout, list)
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "DELIVERY\tEVENT\tTYPE\tREASON\tSTATUS\tATTEMPTS\tLAST ATTEMPT\tCODE\tMS\tERROR")
		for _, d := range list {
			at, code := "-", "-"
			if d.AttemptedAt != nil {
				at = d.AttemptedAt.Format(time.RFC3339)
			}
			if d.StatusCode != nil {
				code = fmt.Sprint(*d.StatusCode)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%d\t%s\n", d.ID, d.EventID, d.EventType, d.Reason, d.Status, d.Attempts, at, code,
				d.DurationMS, d.Error)
		}
		return tw.Flush()
	}
	return usageError{fmt.Errorf("webhooks: unknown action %q (add, list, remove, enable, rotate-secret, test, replay, deliveries)", verb)}
}

// runEvents is "billing events [--account ID] [--type T] [--after EVT] [--json]" (§14).
func runEvents(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if len(args) != 0 {
		return usageError{errors.New("usage: billing events [--account ID] [--type T] [--after EVT] [--limit N] [--json]")}
	}
	db, err := a.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	var limit int
	if _, err := fmt.Sscan(fs.Lookup("limit").Value.String(), &limit); err != nil || limit < 1 || limit > events.MaxLimit {
		return usageError{fmt.Errorf("--limit is a whole number from 1 to %d", events.MaxLimit)}
	}
	list, err := events.List(ctx, db, events.Filter{After: fs.Lookup("after").Value.String(), AccountID: fs.Lookup("account").Value.String(),
		Type: fs.Lookup("type").Value.String(), Limit: limit})
	if err != nil {
		return err
	}
	if fs.Lookup("json").Value.String() == "true" {
		if list == nil {
			list = []events.Event{}
		}
		return writeJSON(a.stdout, list)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTYPE\tCREATED\tACCOUNT")
	for _, e := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.ID, e.Type, e.Created, deref(e.AccountID))
	}
	return tw.Flush()
}
