package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/openbilling/billing/calendar"
	billingsql "github.com/openbilling/billing/sql"
)

// Events and webhook endpoints (§14). The events themselves are written by
// the database's triggers on the changes they tell of (migration 00017);
// here they are read, handed to the endpoints and delivered.
var (
	eventList               = named[EventFilter](billingsql.Query("event_list"))
	eventMarkOverdue        = billingsql.Query("event_mark_overdue")
	webhookEndpointInsert   = named[newEndpoint](billingsql.Query("webhook_endpoint_insert"))
	webhookEndpointList     = billingsql.Query("webhook_endpoint_list")
	webhookEndpointRemove   = named[endpointAt](billingsql.Query("webhook_endpoint_remove"))
	webhookEndpointDisable  = named[endpointReason](billingsql.Query("webhook_endpoint_disable"))
	webhookEndpointFailed   = named[endpointAt](billingsql.Query("webhook_endpoint_failed"))
	webhookEndpointSucceded = billingsql.Query("webhook_endpoint_succeeded")
	webhookSecretRotate     = named[secretRotation](billingsql.Query("webhook_secret_rotate"))
	webhookSecretActive     = named[endpointAt](billingsql.Query("webhook_secret_active"))
	webhookFanout           = billingsql.Query("webhook_fanout")
	webhookFanoutLock       = billingsql.Query("webhook_fanout_lock")
	webhookEndpointEnable   = billingsql.Query("webhook_endpoint_enable")
	webhookEndpointCatchUp  = billingsql.Query("webhook_endpoint_catch_up")
	webhookReplay           = named[replayChoice](billingsql.Query("webhook_replay"))
	webhookTestInsert       = named[webhookTest](billingsql.Query("webhook_test_insert"))
	webhookDeliveryGet      = billingsql.Query("webhook_delivery_get")
	webhookAttemptInsert    = named[attemptRecord](billingsql.Query("webhook_attempt_insert"))
	webhookDeliveryFail     = named[deliveryFailure](billingsql.Query("webhook_delivery_fail"))
	webhookDeliveryList     = named[deliveryFilter](billingsql.Query("webhook_delivery_list"))
	webhookLag              = billingsql.Query("webhook_lag")
)

// Event is a stored event: its number, what it is about and the facts of
// that object as its writer's commit left them.
type Event struct {
	Seq       int64     `db:"seq"`
	Type      string    `db:"type"`
	AccountID string    `db:"account_id"` // "" for run.completed
	ObjectID  string    `db:"object_id"`
	Created   time.Time `db:"created"`
	Facts     []byte    `db:"facts"` // JSON
}

// EventFilter chooses events: after a number, of an account, of a type.
type EventFilter struct {
	After     int64  `db:"after"`
	AccountID string `db:"account_id"`
	Type      string `db:"type"`
	Limit     int    `db:"limit"`
}

// Events lists the events the filter chooses, oldest first.
func Events(ctx context.Context, q Queryer, f EventFilter) ([]Event, error) {
	var out []Event
	err := eventList.sel(ctx, q.ext(), &out, f)
	return out, err
}

// MarkOverdue records the invoices overdue on d that were not before, each
// once: the record writes its invoice.overdue event.
func MarkOverdue(ctx context.Context, tx *Tx, d calendar.Date) (int64, error) {
	res, err := tx.x.ExecContext(ctx, eventMarkOverdue, d)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// WebhookEndpoint is a registered endpoint, without its secrets.
type WebhookEndpoint struct {
	ID             string         `db:"endpoint_id"`
	URL            string         `db:"url"`
	EventTypes     pq.StringArray `db:"event_types"` // empty: every type
	AccountID      string         `db:"account_id"`  // "": every account
	Description    string         `db:"description"`
	Status         string         `db:"status"`
	DisabledReason string         `db:"disabled_reason"`
	FailingSince   *time.Time     `db:"failing_since"`
	CreatedAt      time.Time      `db:"created_at"`
}

// InsertWebhookEndpoint stores a new endpoint with its first secret; it
// takes the events committed after now.
func InsertWebhookEndpoint(ctx context.Context, tx *Tx, e WebhookEndpoint, secret string) error {
	var types pq.StringArray // NULL: every type
	if len(e.EventTypes) > 0 {
		types = e.EventTypes
	}
	if err := lockFanOut(ctx, tx); err != nil {
		return err
	}
	_, err := webhookEndpointInsert.exec(ctx, tx.x, newEndpoint{e.ID, e.URL, types, e.AccountID, e.Description, secret, e.CreatedAt})
	return err
}

// lockFanOut takes the fan-out's turn until tx ends. A fan-out reads the
// endpoints as its statement begins: were an endpoint added or enabled
// while a fan-out waited for its mark, that fan-out would hand on events
// the endpoint takes without it.
func lockFanOut(ctx context.Context, tx *Tx) error {
	_, err := tx.x.ExecContext(ctx, webhookFanoutLock)
	return err
}

// EnableWebhookEndpoint enables an endpoint that is not removed, and makes
// the deliveries of what it missed while disabled; found is false when
// there is no such endpoint.
func EnableWebhookEndpoint(ctx context.Context, tx *Tx, id string) (deliveries []int64, found bool, err error) {
	if err := lockFanOut(ctx, tx); err != nil {
		return nil, false, err
	}
	if _, found, err = getOne[bool](ctx, tx.x, webhookEndpointEnable, id); err != nil || !found {
		return nil, found, err
	}
	var list pq.Int64Array
	err = tx.x.GetContext(ctx, &list, webhookEndpointCatchUp, id)
	return list, true, err
}

// WebhookEndpoints lists the endpoints not removed, or the one named.
func WebhookEndpoints(ctx context.Context, q Queryer, id string) ([]WebhookEndpoint, error) {
	var out []WebhookEndpoint
	err := sqlx.SelectContext(ctx, q.ext(), &out, webhookEndpointList, id)
	return out, err
}

// RemoveWebhookEndpoint removes an endpoint; found is false for one that
// does not exist or was removed.
func RemoveWebhookEndpoint(ctx context.Context, q Queryer, id string, at time.Time) (found bool, err error) {
	res, err := webhookEndpointRemove.exec(ctx, q.ext(), endpointAt{id, at})
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DisableWebhookEndpoint disables an enabled endpoint; disabled is false
// when it was not enabled.
func DisableWebhookEndpoint(ctx context.Context, q Queryer, id, reason string) (disabled bool, err error) {
	_, disabled, err = getNamed[bool](ctx, q.ext(), webhookEndpointDisable, endpointReason{id, reason})
	return disabled, err
}

// WebhookFailed records a failed attempt to an endpoint at at, and returns
// since when it has been failing.
func WebhookFailed(ctx context.Context, q Queryer, id string, at time.Time) (time.Time, error) {
	since, _, err := getNamed[time.Time](ctx, q.ext(), webhookEndpointFailed, endpointAt{id, at})
	return since, err
}

// WebhookSucceeded records an accepted attempt to an endpoint.
func WebhookSucceeded(ctx context.Context, q Queryer, id string) error {
	_, err := q.ext().ExecContext(ctx, webhookEndpointSucceded, id)
	return err
}

// RotateWebhookSecret adds an endpoint's new secret from at; the active
// ones expire at expires. found is false for no such endpoint.
func RotateWebhookSecret(ctx context.Context, tx *Tx, id, secret string, at, expires time.Time) (found bool, err error) {
	res, err := webhookSecretRotate.exec(ctx, tx.x, secretRotation{id, secret, at, expires})
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// WebhookSecrets are an endpoint's secrets active at at, newest first.
func WebhookSecrets(ctx context.Context, q Queryer, id string, at time.Time) ([]string, error) {
	var out []string
	err := webhookSecretActive.sel(ctx, q.ext(), &out, endpointAt{id, at})
	return out, err
}

// FanOut hands the next events, at most limit, to the endpoints that take
// them: it returns the deliveries made, and the number of the last event
// handed (the same as before when none was new).
func FanOut(ctx context.Context, tx *Tx, limit int) (deliveries []int64, through int64, err error) {
	var row struct {
		Deliveries pq.Int64Array `db:"deliveries"`
		Through    int64         `db:"through_seq"`
	}
	if err := lockFanOut(ctx, tx); err != nil {
		return nil, 0, err
	}
	if err := sqlx.GetContext(ctx, tx.x, &row, webhookFanout, limit); err != nil {
		return nil, 0, err
	}
	return row.Deliveries, row.Through, nil
}

// ReplayWebhook makes deliveries again to an endpoint of the events it
// takes: the event numbered seq, or when seq is 0 every one since.
func ReplayWebhook(ctx context.Context, tx *Tx, endpoint string, seq int64, since time.Time) ([]int64, error) {
	var out []int64
	err := webhookReplay.sel(ctx, tx.x, &out, replayChoice{endpoint, seq, since})
	return out, err
}

// InsertWebhookTest makes a delivery of a test event to an endpoint; found
// is false for no such endpoint.
func InsertWebhookTest(ctx context.Context, tx *Tx, endpoint string, event json.RawMessage) (id int64, found bool, err error) {
	return getNamed[int64](ctx, tx.x, webhookTestInsert, webhookTest{endpoint, string(event)})
}

// WebhookDelivery is a delivery with what it sends and where.
type WebhookDelivery struct {
	ID             int64      `db:"delivery_id"`
	EndpointID     string     `db:"endpoint_id"`
	Reason         string     `db:"reason"`
	Status         string     `db:"status"`
	Attempts       int        `db:"attempts"`
	URL            string     `db:"url"`
	EndpointStatus string     `db:"endpoint_status"`
	EndpointGone   bool       `db:"endpoint_removed"`
	Event          Event      `db:"-"`
	EventSeq       int64      `db:"event_seq"`
	EventType      string     `db:"event_type"`
	EventAccount   string     `db:"event_account"`
	ObjectID       string     `db:"object_id"`
	EventCreated   *time.Time `db:"event_created"`
	EventFacts     []byte     `db:"event_facts"` // JSON
	TestEvent      []byte     `db:"test_event"`  // JSON
}

// GetWebhookDelivery reads a delivery; found is false for none.
func GetWebhookDelivery(ctx context.Context, q Queryer, id int64) (WebhookDelivery, bool, error) {
	d, found, err := getOne[WebhookDelivery](ctx, q.ext(), webhookDeliveryGet, id)
	if found && d.EventSeq > 0 {
		d.Event = Event{Seq: d.EventSeq, Type: d.EventType, AccountID: d.EventAccount, ObjectID: d.ObjectID, Facts: d.EventFacts}
		if d.EventCreated != nil {
			d.Event.Created = *d.EventCreated
		}
	}
	return d, found, err
}

// WebhookAttempt is one attempt of a delivery.
type WebhookAttempt struct {
	At         time.Time
	StatusCode int // 0 when no answer came
	Duration   time.Duration
	Error      string
	Response   string
}

// RecordWebhookAttempt records an attempt of a delivery, and its state
// after it: "pending" (to be retried), "delivered" or "failed".
func RecordWebhookAttempt(ctx context.Context, q Queryer, delivery int64, a WebhookAttempt, status, deliveryError string) error {
	var code *int // NULL: no answer came
	if a.StatusCode != 0 {
		code = &a.StatusCode
	}
	_, err := webhookAttemptInsert.exec(ctx, q.ext(), attemptRecord{delivery, a.At, code, a.Duration.Milliseconds(), a.Error, a.Response,
		deliveryError, status})
	return err
}

// FailWebhookDelivery records a pending delivery as failed, untried.
func FailWebhookDelivery(ctx context.Context, q Queryer, delivery int64, reason string, at time.Time) error {
	_, err := webhookDeliveryFail.exec(ctx, q.ext(), deliveryFailure{delivery, reason, at})
	return err
}

// WebhookDeliveryRow is a delivery as billing webhooks deliveries lists it,
// with its last attempt.
type WebhookDeliveryRow struct {
	ID          int64      `db:"delivery_id"`
	Reason      string     `db:"reason"`
	Status      string     `db:"status"`
	Attempts    int        `db:"attempts"`
	Error       string     `db:"error"`
	CreatedAt   time.Time  `db:"created_at"`
	EventSeq    int64      `db:"event_seq"`
	EventType   string     `db:"event_type"`
	TestEventID string     `db:"test_event_id"`
	AttemptedAt *time.Time `db:"attempted_at"`
	StatusCode  *int       `db:"status_code"`
	DurationMS  int        `db:"duration_ms"`
	LastError   string     `db:"attempt_error"`
	Response    string     `db:"response"`
}

// WebhookDeliveries lists an endpoint's latest deliveries, newest first.
func WebhookDeliveries(ctx context.Context, q Queryer, endpoint string, failedOnly bool, limit int) ([]WebhookDeliveryRow, error) {
	var out []WebhookDeliveryRow
	err := webhookDeliveryList.sel(ctx, q.ext(), &out, deliveryFilter{endpoint, failedOnly, limit})
	return out, err
}

// WebhookLag is the age at now of the oldest event not yet delivered.
func WebhookLag(ctx context.Context, q Queryer, now time.Time) (time.Duration, error) {
	var seconds sql.NullFloat64
	err := sqlx.GetContext(ctx, q.ext(), &seconds, webhookLag, now)
	if errors.Is(err, sql.ErrNoRows) || !seconds.Valid {
		return 0, nil
	}
	return time.Duration(seconds.Float64 * float64(time.Second)), err
}

// endpointReason are the parameters of webhook_endpoint_disable.
type endpointReason struct {
	ID     string `db:"endpoint_id"`
	Reason string `db:"reason"`
}

// endpointAt are the parameters of webhook_endpoint_failed.
type endpointAt struct {
	ID string    `db:"endpoint_id"`
	At time.Time `db:"at"`
}

// webhookTest are the parameters of webhook_test_insert.
type webhookTest struct {
	Endpoint string `db:"endpoint_id"`
	Event    string `db:"event"`
}

// deliveryFailure are the parameters of webhook_delivery_fail.
type deliveryFailure struct {
	Delivery int64     `db:"delivery_id"`
	Reason   string    `db:"error"`
	At       time.Time `db:"finished_at"`
}

// deliveryFilter are the parameters of webhook_delivery_list.
type deliveryFilter struct {
	Endpoint   string `db:"endpoint_id"`
	FailedOnly bool   `db:"failed_only"`
	Limit      int    `db:"limit"`
}

// replayChoice are the parameters of webhook_replay.
type replayChoice struct {
	Endpoint string    `db:"endpoint_id"`
	Seq      int64     `db:"seq"`
	Since    time.Time `db:"since"`
}

// secretRotation are the parameters of webhook_secret_rotate.
type secretRotation struct {
	ID      string    `db:"endpoint_id"`
	Secret  string    `db:"secret"`
	At      time.Time `db:"created_at"`
	Expires time.Time `db:"expires_at"`
}

// newEndpoint are the parameters of webhook_endpoint_insert.
type newEndpoint struct {
	ID          string         `db:"endpoint_id"`
	URL         string         `db:"url"`
	Types       pq.StringArray `db:"event_types"`
	AccountID   string         `db:"account_id"`
	Description string         `db:"description"`
	Secret      string         `db:"secret"`
	CreatedAt   time.Time      `db:"created_at"`
}

// attemptRecord are the parameters of webhook_attempt_insert.
type attemptRecord struct {
	Delivery      int64     `db:"delivery_id"`
	At            time.Time `db:"attempted_at"`
	Code          *int      `db:"status_code"`
	DurationMS    int64     `db:"duration_ms"`
	Error         string    `db:"error"`
	Response      string    `db:"response"`
	DeliveryError string    `db:"delivery_error"`
	Status        string    `db:"status"`
}
