package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/openbilling/billing/events"
	"github.com/openbilling/billing/store"
)

// Enqueuer queues the sending of deliveries made in a transaction (the
// queue package's jobs).
type Enqueuer interface {
	DeliverTx(ctx context.Context, tx *store.Tx, deliveries []int64) error
}

// Service manages the endpoints and sends the deliveries.
type Service struct {
	DB    *store.DB
	Queue Enqueuer // nil: deliveries wait for a daemon's fan-out to be sent
	// AllowHTTP lets endpoints be http:// (setting webhook_allow_http).
	AllowHTTP bool
	// Client sends the attempts (NewClient).
	Client interface {
		Do(*http.Request) (*http.Response, error)
	}
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Notify e-mails the operators about a disabled endpoint (nil: nobody).
	// key makes each e-mail once.
	Notify func(ctx context.Context, tx *store.Tx, key, subject, body string) error
	// Observe is told the outcome of each attempt, for the metrics.
	Observe func(outcome string, took time.Duration)
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Endpoint is an endpoint as billing webhooks list --json shows it (§14).
type Endpoint struct {
	ID             string     `json:"id"`
	URL            string     `json:"url"`
	Events         []string   `json:"events"`
	AccountID      *string    `json:"account_id"`
	Description    string     `json:"description"`
	Status         string     `json:"status"`
	DisabledReason string     `json:"disabled_reason,omitempty"`
	FailingSince   *time.Time `json:"failing_since,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
}

func endpointOf(e store.WebhookEndpoint) Endpoint {
	out := Endpoint{ID: e.ID, URL: e.URL, Events: e.EventTypes, Description: e.Description, Status: e.Status,
		DisabledReason: e.DisabledReason, FailingSince: e.FailingSince, CreatedAt: e.CreatedAt.UTC()}
	if len(out.Events) == 0 {
		out.Events = []string{"*"}
	}
	if e.AccountID != "" {
		out.AccountID = &e.AccountID
	}
	return out
}

// ErrNoEndpoint is the error of an endpoint id that does not exist.
var ErrNoEndpoint = errors.New("no such webhook endpoint")

// ErrInvalid is the error of an endpoint's bad settings.
var ErrInvalid = errors.New("invalid webhook endpoint")

// AddRequest is what billing webhooks add takes.
type AddRequest struct {
	URL         string
	Events      []string // empty: every type
	AccountID   string   // "": every account
	Description string
}

// Add registers an endpoint; it takes the events committed from now on.
// The secret is returned once, here, and shown nowhere after.
func (s *Service) Add(ctx context.Context, req AddRequest) (Endpoint, string, error) {
	if err := s.checkURL(req.URL); err != nil {
		return Endpoint{}, "", err
	}
	types := slices.Clone(req.Events)
	for _, t := range types {
		if !events.Known(t) {
			return Endpoint{}, "", fmt.Errorf("%w: %q is not an event type (%s)", ErrInvalid, t, strings.Join(events.Types, ", "))
		}
	}
	slices.Sort(types)
	types = slices.Compact(types)
	if req.AccountID != "" {
		_, found, err := store.AccountContact(ctx, s.DB, req.AccountID)
		if err != nil {
			return Endpoint{}, "", err
		}
		if !found {
			return Endpoint{}, "", fmt.Errorf("%w: no account %q", ErrInvalid, req.AccountID)
		}
	}
	row := store.WebhookEndpoint{ID: newEndpointID(), URL: req.URL, EventTypes: types, AccountID: req.AccountID,
		Description: req.Description, CreatedAt: s.now()}
	secret := NewSecret()
	if err := s.DB.InTx(ctx, func(tx *store.Tx) error { return store.InsertWebhookEndpoint(ctx, tx, row, secret) }); err != nil {
		return Endpoint{}, "", fmt.Errorf("adding the endpoint: %w", err)
	}
	list, err := store.WebhookEndpoints(ctx, s.DB, row.ID)
	if err != nil || len(list) != 1 {
		return Endpoint{}, "", fmt.Errorf("reading the new endpoint: %v", err)
	}
	return endpointOf(list[0]), secret, nil
}

// checkURL refuses an address that is not absolute https (or http when
// allowed), or that carries credentials.
func (s *Service) checkURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		return fmt.Errorf("%w: %q is not an absolute URL", ErrInvalid, raw)
	case u.User != nil:
		return fmt.Errorf("%w: the URL may not carry a user name or password", ErrInvalid)
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && s.AllowHTTP:
		return nil
	case u.Scheme == "http":
		return fmt.Errorf("%w: %q is not https (the setting webhook_allow_http allows http)", ErrInvalid, raw)
	}
	return fmt.Errorf("%w: %q is neither https nor http", ErrInvalid, raw)
}

func newEndpointID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "we_" + hex.EncodeToString(b)
}

// List lists the endpoints, oldest first.
func (s *Service) List(ctx context.Context) ([]Endpoint, error) {
	rows, err := store.WebhookEndpoints(ctx, s.DB, "")
	if err != nil {
		return nil, fmt.Errorf("listing webhook endpoints: %w", err)
	}
	out := make([]Endpoint, len(rows))
	for i, r := range rows {
		out[i] = endpointOf(r)
	}
	return out, nil
}

// Get is one endpoint.
func (s *Service) Get(ctx context.Context, id string) (Endpoint, error) {
	rows, err := store.WebhookEndpoints(ctx, s.DB, id)
	if err != nil {
		return Endpoint{}, fmt.Errorf("reading webhook endpoint %s: %w", id, err)
	}
	if len(rows) == 0 {
		return Endpoint{}, fmt.Errorf("%w: %s", ErrNoEndpoint, id)
	}
	return endpointOf(rows[0]), nil
}

// Remove removes an endpoint: it takes no more events, its pending
// deliveries are recorded failed as they come up, its history is kept.
func (s *Service) Remove(ctx context.Context, id string) error {
	found, err := store.RemoveWebhookEndpoint(ctx, s.DB, id, s.now())
	if err != nil {
		return fmt.Errorf("removing webhook endpoint %s: %w", id, err)
	}
	if !found {
		return fmt.Errorf("%w: %s", ErrNoEndpoint, id)
	}
	return nil
}

// Enable enables a disabled endpoint again: it takes the events from now
// on, and is sent at once what it missed while disabled (the events handed
// on meanwhile, and its deliveries stopped before any attempt). Deliveries
// that failed after their attempts stay failed: replay sends them again.
// It returns how many deliveries it made.
func (s *Service) Enable(ctx context.Context, id string) (int, error) {
	var made []int64
	found := false
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if made, found, err = store.EnableWebhookEndpoint(ctx, tx, id); err != nil || !found {
			return err
		}
		return s.enqueue(ctx, tx, made)
	})
	switch {
	case err != nil:
		return 0, fmt.Errorf("enabling webhook endpoint %s: %w", id, err)
	case !found:
		return 0, fmt.Errorf("%w: %s", ErrNoEndpoint, id)
	}
	return len(made), nil
}

// RotationOverlap is how long the secret before a rotation still signs.
const RotationOverlap = 24 * time.Hour

// RotateSecret gives an endpoint a new secret, returned once; for a day
// deliveries are signed with both.
func (s *Service) RotateSecret(ctx context.Context, id string) (string, error) {
	secret := NewSecret()
	now := s.now()
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		found, err := store.RotateWebhookSecret(ctx, tx, id, secret, now, now.Add(RotationOverlap))
		if err == nil && !found {
			err = fmt.Errorf("%w: %s", ErrNoEndpoint, id)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// Test sends an endpoint a webhook.test event.
func (s *Service) Test(ctx context.Context, id string) (int64, error) {
	now := s.now()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	data, _ := json.Marshal(map[string]string{"endpoint_id": id})
	event, _ := json.Marshal(events.Event{ID: "evt_test_" + hex.EncodeToString(b), Type: events.WebhookTest,
		Created: events.Timestamp(now), Data: data})
	var delivery int64
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		d, found, err := store.InsertWebhookTest(ctx, tx, id, event)
		switch {
		case err != nil:
			return err
		case !found:
			return fmt.Errorf("%w: %s", ErrNoEndpoint, id)
		}
		delivery = d
		return s.enqueue(ctx, tx, []int64{d})
	})
	return delivery, err
}

// Replay sends an endpoint one event again (eventID), or every event it
// takes since an instant; it returns how many deliveries it made.
func (s *Service) Replay(ctx context.Context, id, eventID string, since time.Time) (int, error) {
	var seq int64
	if eventID != "" {
		var err error
		if seq, err = events.ParseID(eventID); err != nil {
			return 0, err
		}
	}
	if _, err := s.Get(ctx, id); err != nil {
		return 0, err
	}
	var made []int64
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if made, err = store.ReplayWebhook(ctx, tx, id, seq, since); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, made)
	})
	if err != nil {
		return 0, fmt.Errorf("replaying to %s: %w", id, err)
	}
	return len(made), nil
}

func (s *Service) enqueue(ctx context.Context, tx *store.Tx, deliveries []int64) error {
	if s.Queue == nil || len(deliveries) == 0 {
		return nil
	}
	return s.Queue.DeliverTx(ctx, tx, deliveries)
}

// FanOutBatch is the most events one fan-out hands on.
const FanOutBatch = 5000

// FanOut hands the events committed since the last fan-out to the
// endpoints that take them, and queues their deliveries; it returns how
// many it made, and whether events may be left for another call.
func (s *Service) FanOut(ctx context.Context) (made int, more bool, err error) {
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		deliveries, _, err := store.FanOut(ctx, tx, FanOutBatch)
		if err != nil {
			return err
		}
		made = len(deliveries)
		return s.enqueue(ctx, tx, deliveries)
	})
	if err != nil {
		return 0, false, fmt.Errorf("handing events to the webhook endpoints: %w", err)
	}
	return made, made > 0, nil
}

// Delivery is a delivery as billing webhooks deliveries shows it.
type Delivery struct {
	ID          int64      `json:"id"`
	EventID     string     `json:"event_id"`
	EventType   string     `json:"event_type"`
	Reason      string     `json:"reason"`
	Status      string     `json:"status"`
	Attempts    int        `json:"attempts"`
	AttemptedAt *time.Time `json:"attempted_at"`
	StatusCode  *int       `json:"status_code"`
	DurationMS  int        `json:"duration_ms"`
	Error       string     `json:"error"`
	Response    string     `json:"response"`
}

// Deliveries lists an endpoint's latest deliveries (at most limit), newest
// first, each with its last attempt; only the failed ones when failedOnly.
func (s *Service) Deliveries(ctx context.Context, id string, failedOnly bool, limit int) ([]Delivery, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	rows, err := store.WebhookDeliveries(ctx, s.DB, id, failedOnly, limit)
	if err != nil {
		return nil, fmt.Errorf("listing the deliveries of %s: %w", id, err)
	}
	out := make([]Delivery, len(rows))
	for i, r := range rows {
		d := Delivery{ID: r.ID, EventType: r.EventType, Reason: r.Reason, Status: r.Status, Attempts: r.Attempts,
			AttemptedAt: r.AttemptedAt, StatusCode: r.StatusCode, DurationMS: r.DurationMS, Error: r.LastError, Response: r.Response}
		if d.Error == "" {
			d.Error = r.Error
		}
		if r.EventSeq > 0 {
			d.EventID = events.ID(r.EventSeq)
		} else {
			d.EventID = r.TestEventID
		}
		if d.AttemptedAt != nil {
			at := d.AttemptedAt.UTC()
			d.AttemptedAt = &at
		}
		out[i] = d
	}
	return out, nil
}
