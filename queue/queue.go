// Package queue runs the product's background work as jobs of River, a
// PostgreSQL job queue (github.com/riverqueue/river), on the billing
// database itself: each e-mail the outbox receives is a job queued in the
// same transaction, and the periodic work (settling charges whose answer
// never came, retrying soft-declined auto-charges, validating the cards on
// file) are periodic jobs. River brings retries with backoff, uniqueness,
// and one leader among any number of daemons, so that a periodic job runs
// once wherever it is scheduled.
package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"

	"github.com/openbilling/billing/mail"
	"github.com/openbilling/billing/payments"
	"github.com/openbilling/billing/store"
)

// The queues: e-mail apart, so that a daemon without a mail server leaves
// it waiting rather than failing it.
const (
	QueueMail  = "mail"
	QueueMoney = river.QueueDefault
)

// SendEmail sends one e-mail of the outbox.
type SendEmail struct {
	MessageID string `json:"message_id"`
}

// Kind names the job.
func (SendEmail) Kind() string { return "send_email" }

// InsertOpts puts e-mail on its queue, once per message.
func (SendEmail) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMail, MaxAttempts: 25, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// SettleCharges asks the gateway about every charge whose answer never came.
type SettleCharges struct{}

// Kind names the job.
func (SettleCharges) Kind() string { return "settle_charges" }

// CollectDue makes the auto-charges that are due: retries of soft declines
// on their schedule, and any new invoice a close left uncharged.
type CollectDue struct{}

// Kind names the job.
func (CollectDue) Kind() string { return "collect_due" }

// ValidateCards asks the gateway about every card on file.
type ValidateCards struct{}

// Kind names the job.
func (ValidateCards) Kind() string { return "validate_cards" }

// ProcessProviderEvent acts on one payment provider's event (§9.1), kept
// in the transaction that queued this job.
type ProcessProviderEvent struct {
	Provider string `json:"provider"`
	EventID  string `json:"event_id"`
}

// Kind names the job.
func (ProcessProviderEvent) Kind() string { return "process_provider_event" }

// InsertOpts tries an event again for a day (a dispute of a payment whose
// own event is still on its way waits for it), once per event.
func (ProcessProviderEvent) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 20, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// Inserter queues jobs, in the caller's transaction; it runs none.
type Inserter struct{ client *river.Client[store.DriverTx] }

// NewInserter returns an Inserter over db.
func NewInserter(db *store.DB) (*Inserter, error) {
	client, err := river.NewClient(riverdatabasesql.New(db.DriverDB()), &river.Config{})
	if err != nil {
		return nil, fmt.Errorf("preparing the job queue: %w", err)
	}
	return &Inserter{client: client}, nil
}

// SendTx queues the sending of e-mails written in tx (payments.Enqueuer).
func (q *Inserter) SendTx(ctx context.Context, tx *store.Tx, messageIDs []string) error {
	params := make([]river.InsertManyParams, len(messageIDs))
	for i, id := range messageIDs {
		params[i] = river.InsertManyParams{Args: SendEmail{MessageID: id}}
	}
	if _, err := q.client.InsertManyTx(ctx, tx.Driver(), params); err != nil {
		return fmt.Errorf("queueing %d e-mails: %w", len(messageIDs), err)
	}
	return nil
}

// ProcessEventTx queues the processing of a provider's event kept in tx
// (payments.EventQueue).
func (q *Inserter) ProcessEventTx(ctx context.Context, tx *store.Tx, provider, eventID string) error {
	if _, err := q.client.InsertTx(ctx, tx.Driver(), ProcessProviderEvent{Provider: provider, EventID: eventID}, nil); err != nil {
		return fmt.Errorf("queueing event %s: %w", eventID, err)
	}
	return nil
}

// Schedule is a periodic job's schedule (a cron expression's, for one).
type Schedule interface {
	Next(time.Time) time.Time
}

// Config is what the workers need.
type Config struct {
	DB       *store.DB
	Payments *payments.Service
	Mail     *mail.Sender // nil: e-mail waits in the outbox
	Cards    Schedule     // when the cards on file are validated (nil: never)
	Log      *slog.Logger
	// Every is how often charges are settled and due auto-charges made.
	Every time.Duration
	// Poll is how often an idle worker looks for new jobs.
	Poll time.Duration
}

// Worker works the jobs; Start it, and Stop it to finish the jobs at hand.
type Worker struct{ client *river.Client[store.DriverTx] }

// NewWorker returns a worker of every job kind.
func NewWorker(cfg Config) (*Worker, error) {
	workers := river.NewWorkers()
	queues := map[string]river.QueueConfig{QueueMoney: {MaxWorkers: 2}}
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, _ *river.Job[SettleCharges]) error {
		_, err := cfg.Payments.SettleUnknown(ctx, "", time.Now())
		return err
	}))
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, _ *river.Job[CollectDue]) error {
		_, err := cfg.Payments.Collect(ctx, time.Now())
		return err
	}))
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[ProcessProviderEvent]) error {
		_, err := cfg.Payments.ProcessEvent(ctx, job.Args.EventID, time.Now())
		return err
	}))
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, _ *river.Job[ValidateCards]) error {
		_, err := cfg.Payments.Validate(ctx, "", time.Now())
		return err
	}))
	if cfg.Mail != nil {
		river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[SendEmail]) error {
			return cfg.Mail.SendOne(ctx, job.Args.MessageID, time.Now())
		}))
		queues[QueueMail] = river.QueueConfig{MaxWorkers: 4}
	}
	every := cfg.Every
	if every <= 0 {
		every = 10 * time.Minute
	}
	periodic := []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
			return SettleCharges{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: every}}
		}, &river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
			return CollectDue{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: every}}
		}, nil),
	}
	if cfg.Cards != nil {
		periodic = append(periodic, river.NewPeriodicJob(cfg.Cards, func() (river.JobArgs, *river.InsertOpts) {
			return ValidateCards{}, nil
		}, nil))
	}
	poll := cfg.Poll
	if poll <= 0 {
		poll = time.Second
	}
	client, err := river.NewClient(riverdatabasesql.New(cfg.DB.DriverDB()), &river.Config{
		Queues: queues, Workers: workers, PeriodicJobs: periodic, Logger: cfg.Log,
		FetchPollInterval: poll, FetchCooldown: poll / 2, JobTimeout: 30 * time.Minute,
	})
	if err != nil {
		return nil, fmt.Errorf("preparing the job queue's worker: %w", err)
	}
	return &Worker{client: client}, nil
}

// Start begins working jobs. The jobs outlive ctx: its end (SIGTERM) stops
// nothing, Stop does.
func (w *Worker) Start(ctx context.Context) error { return start(ctx, w.client) }

// Stop takes no new job, waits for the jobs at hand to finish until ctx
// ends, then cancels those still running.
func (w *Worker) Stop(ctx context.Context) error { return stop(ctx, w.client) }

// start runs a client's loops on a context that is not cancelled with the
// caller's: River cancels the jobs at hand when the context given to Start
// ends, and a SIGTERM is to let them finish (an e-mail being delivered is
// recorded as sent, a charge gets its answer), within shutdown_timeout.
func start(ctx context.Context, client *river.Client[store.DriverTx]) error {
	return client.Start(context.WithoutCancel(ctx))
}

// stopGrace bounds the wait for jobs cancelled after the shutdown timeout.
const stopGrace = 10 * time.Second

// stop is a graceful stop that ends hard: the jobs at hand may finish until
// ctx ends; then they are cancelled.
func stop(ctx context.Context, client *river.Client[store.DriverTx]) error {
	err := client.Stop(ctx)
	if err == nil || ctx.Err() == nil {
		return err
	}
	hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopGrace)
	defer cancel()
	return errors.Join(err, client.StopAndCancel(hard))
}
