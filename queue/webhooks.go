package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"

	"github.com/openbilling/billing/store"
	"github.com/openbilling/billing/webhooks"
)

// DeliverWebhook is one delivery of an event to an endpoint (§14): each
// attempt is a working of the job, its retries River's, on §14's schedule.
// Its jobs live in store.WebhookSchema, with a leader of their own that
// rescues the deliveries of a killed process within a minute.
type DeliverWebhook struct {
	DeliveryID int64 `json:"delivery_id"`
}

// Kind names the job.
func (DeliverWebhook) Kind() string { return "deliver_webhook" }

// InsertOpts gives a delivery §14's attempts.
func (DeliverWebhook) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: webhooks.MaxAttempts}
}

// FanOutEvents hands the events committed since the last time to the
// endpoints that take them.
type FanOutEvents struct{}

// Kind names the job.
func (FanOutEvents) Kind() string { return "fan_out_events" }

// deliveryTimeout bounds one attempt's job: the attempt's own timeout and
// the recording of it. A job running longer than deliveryRescue belongs to
// a process that died, and is tried again.
const (
	deliveryTimeout = webhooks.AttemptTimeout + 5*time.Second
	deliveryRescue  = 30 * time.Second
)

// errRetry is a delivery's attempt that failed and is to be retried: River
// records it and works the job again at NextRetry.
var errRetry = errors.New("the endpoint did not accept the event")

type deliverWorker struct {
	river.WorkerDefaults[DeliverWebhook]
	s        *webhooks.Service
	inFlight func(delta int)
}

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverWebhook]) error {
	if w.inFlight != nil {
		w.inFlight(1)
		defer w.inFlight(-1)
	}
	res, err := w.s.Deliver(ctx, job.Args.DeliveryID, job.Attempt)
	switch {
	case err != nil:
		return err
	case res.Retry:
		return errRetry
	}
	return nil
}

func (w *deliverWorker) NextRetry(job *river.Job[DeliverWebhook]) time.Time {
	return webhooks.NextRetry(job.Attempt, time.Now())
}

func (w *deliverWorker) Timeout(*river.Job[DeliverWebhook]) time.Duration { return deliveryTimeout }

// fanOutRounds bounds the batches one fan-out job hands on.
const fanOutRounds = 20

type fanOutWorker struct {
	river.WorkerDefaults[FanOutEvents]
	s *webhooks.Service
}

func (w *fanOutWorker) Work(ctx context.Context, _ *river.Job[FanOutEvents]) error {
	for range fanOutRounds {
		_, more, err := w.s.FanOut(ctx)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// Webhooks sends the deliveries of events to webhook endpoints, and queues
// new ones (webhooks.Enqueuer).
type Webhooks struct {
	client *river.Client[store.DriverTx]
}

// WebhookConfig is what the sending of webhooks needs.
type WebhookConfig struct {
	Service *webhooks.Service
	Workers int // deliveries attempted at once; 0 queues only
	// FanOut is how often new events are handed to the endpoints.
	FanOut   time.Duration
	InFlight func(delta int) // told of each attempt begun and ended
	Log      *slog.Logger
}

// NewWebhooks returns the sender of deliveries; with no workers it only
// queues them (for billing webhooks replay and test).
func NewWebhooks(db *store.DB, cfg WebhookConfig) (*Webhooks, error) {
	rc := &river.Config{Schema: store.WebhookSchema, Logger: cfg.Log,
		FetchPollInterval: 100 * time.Millisecond, FetchCooldown: 10 * time.Millisecond,
		JobTimeout: deliveryTimeout, RescueStuckJobsAfter: deliveryRescue}
	if cfg.Workers > 0 {
		ws := river.NewWorkers()
		if err := river.AddWorkerSafely(ws, &deliverWorker{s: cfg.Service, inFlight: cfg.InFlight}); err != nil {
			return nil, err
		}
		if err := river.AddWorkerSafely(ws, &fanOutWorker{s: cfg.Service}); err != nil {
			return nil, err
		}
		every := cfg.FanOut
		if every <= 0 {
			every = time.Second
		}
		rc.Workers = ws
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}}
		rc.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) {
				return FanOutEvents{}, &river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByPeriod: every}}
			}, &river.PeriodicJobOpts{RunOnStart: true})}
	}
	client, err := river.NewClient(riverdatabasesql.New(db.DriverDB()), rc)
	if err != nil {
		return nil, fmt.Errorf("preparing the sender of webhooks: %w", err)
	}
	return &Webhooks{client: client}, nil
}

// DeliverTx queues deliveries made in tx.
func (q *Webhooks) DeliverTx(ctx context.Context, tx *store.Tx, deliveries []int64) error {
	for start := 0; start < len(deliveries); start += insertChunk {
		chunk := deliveries[start:min(start+insertChunk, len(deliveries))]
		params := make([]river.InsertManyParams, len(chunk))
		for i, id := range chunk {
			params[i] = river.InsertManyParams{Args: DeliverWebhook{DeliveryID: id}}
		}
		if _, err := q.client.InsertManyTx(ctx, tx.Driver(), params); err != nil {
			return fmt.Errorf("queueing %d webhook deliveries: %w", len(chunk), err)
		}
	}
	return nil
}

// Start begins sending; like Worker's, the attempts outlive ctx.
func (q *Webhooks) Start(ctx context.Context) error { return start(ctx, q.client) }

// Stop takes no new delivery and lets the attempts at hand finish until ctx
// ends.
func (q *Webhooks) Stop(ctx context.Context) error { return stop(ctx, q.client) }
