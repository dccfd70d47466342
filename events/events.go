// Package events is the read side of §14's events: every change of its list
// writes one event in its own transaction (the database's triggers do, so
// no code path can forget), and this package names them, lists them after
// a cursor, and renders each one's data the way the API shows its object.
package events

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/openbilling/billing/invoices"
	"github.com/openbilling/billing/invoicing"
	"github.com/openbilling/billing/payments"
	"github.com/openbilling/billing/store"
)

// The event types of §14.
const (
	InvoiceFinalized       = "invoice.finalized"
	InvoicePaid            = "invoice.paid"
	InvoicePaymentFailed   = "invoice.payment_failed"
	InvoiceOverdue         = "invoice.overdue"
	InvoiceLateFeeAssessed = "invoice.late_fee_assessed"
	PaymentSucceeded       = "payment.succeeded"
	PaymentRefunded        = "payment.refunded"
	PaymentDisputed        = "payment.disputed"
	PaymentMethodUpdated   = "payment_method.updated"
	RunCompleted           = "run.completed"
	// WebhookTest is the event billing webhooks test sends; it is not kept.
	WebhookTest = "webhook.test"
)

// Types are the event types an endpoint may take, in §14's order.
var Types = []string{InvoiceFinalized, InvoicePaid, InvoicePaymentFailed, InvoiceOverdue, InvoiceLateFeeAssessed,
	PaymentSucceeded, PaymentRefunded, PaymentDisputed, PaymentMethodUpdated, RunCompleted}

// Known reports whether t is one of Types.
func Known(t string) bool {
	for _, k := range Types {
		if k == t {
			return true
		}
	}
	return false
}

// Event is an event as billing events --json, the API and the webhooks
// show it (§14).
type Event struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	Created   string          `json:"created"`
	AccountID *string         `json:"account_id"`
	Data      json.RawMessage `json:"data"`
}

// idPrefix begins every event id; the number after it has a fixed width,
// so that ids sort as their numbers do.
const idPrefix = "evt_"

// ID is the id of the event numbered seq.
func ID(seq int64) string { return fmt.Sprintf("%s%016d", idPrefix, seq) }

// ParseID is the number of the event with id s.
func ParseID(s string) (int64, error) {
	digits, ok := strings.CutPrefix(s, idPrefix)
	seq, err := strconv.ParseInt(digits, 10, 64)
	if !ok || err != nil || seq <= 0 || len(digits) != 16 {
		return 0, fmt.Errorf("%q is not an event id (evt_ and 16 digits)", s)
	}
	return seq, nil
}

// Timestamp is how events write an instant: RFC 3339, UTC, to the second.
func Timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Filter chooses events: after one (its id; "" for the first), of an
// account ("" for all), of a type ("" for all), at most Limit.
type Filter struct {
	After     string
	AccountID string
	Type      string
	Limit     int
}

// MaxLimit is the most events one call lists.
const MaxLimit = 1000

// List lists the events the filter chooses, oldest first.
func List(ctx context.Context, db store.Queryer, f Filter) ([]Event, error) {
	sf := store.EventFilter{AccountID: f.AccountID, Type: f.Type, Limit: f.Limit}
	if f.After != "" {
		seq, err := ParseID(f.After)
		if err != nil {
			return nil, err
		}
		sf.After = seq
	}
	if f.Type != "" && !Known(f.Type) {
		return nil, fmt.Errorf("%q is not an event type (%s)", f.Type, strings.Join(Types, ", "))
	}
	if sf.Limit <= 0 || sf.Limit > MaxLimit {
		sf.Limit = MaxLimit
	}
	rows, err := store.Events(ctx, db, sf)
	if err != nil {
		return nil, fmt.Errorf("listing events: %w", err)
	}
	out := make([]Event, len(rows))
	for i, r := range rows {
		if out[i], err = Render(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Render is a stored event as shown: its data is its object as the API
// shows it, from the facts its writer's commit left.
func Render(r store.Event) (Event, error) {
	e := Event{ID: ID(r.Seq), Type: r.Type, Created: Timestamp(r.Created)}
	if r.AccountID != "" {
		e.AccountID = &r.AccountID
	}
	data, err := renderData(r.Type, r.Facts)
	if err != nil {
		return Event{}, fmt.Errorf("event %s (%s of %s): %w", e.ID, r.Type, r.ObjectID, err)
	}
	e.Data = data
	return e, nil
}

// invoiceFacts are an invoice's facts: its stored header, what is paid of
// it, and its files by kind.
type invoiceFacts struct {
	invoicing.Issued
	Files map[string]string
}

// paymentFacts are a payment's: payment_records' row.
type paymentFacts struct {
	PaymentID        string    `json:"payment_id"`
	AccountID        string    `json:"account_id"`
	Currency         string    `json:"currency"`
	Amount           string    `json:"amount"`
	Method           string    `json:"method"`
	MethodLabel      string    `json:"method_label"`
	GatewayReference string    `json:"gateway_reference"`
	PaidAt           time.Time `json:"paid_at"`
	PaidInvoices     string    `json:"paid_invoices"`
	Refunded         string    `json:"refunded"`
	Disputed         string    `json:"disputed"` // absent from events written before disputes existed
	Disputes         string    `json:"disputes"`
}

// Run is a run as run.completed shows it: what it did, its report's counts.
type Run struct {
	ID         int64           `json:"run_id"`
	AsOf       time.Time       `json:"as_of"`
	Stage      string          `json:"stage"`
	Job        *string         `json:"job"`
	Status     string          `json:"status"`
	StartedAt  time.Time       `json:"started_at"`
	FinishedAt *time.Time      `json:"finished_at"`
	Counts     json.RawMessage `json:"counts"`
	Error      *string         `json:"error"`
}

func renderData(typ string, facts json.RawMessage) (json.RawMessage, error) {
	if len(facts) == 0 || string(facts) == "null" {
		return nil, fmt.Errorf("no facts recorded")
	}
	var view any
	switch {
	case strings.HasPrefix(typ, "invoice."):
		var f invoiceFacts
		if err := json.Unmarshal(facts, &f); err != nil {
			return nil, err
		}
		view = invoices.Header(f.Issued, f.Files)
	case typ == PaymentMethodUpdated:
		var m payments.Method
		if err := json.Unmarshal(facts, &m); err != nil {
			return nil, err
		}
		view = m
	case strings.HasPrefix(typ, "payment."):
		var f paymentFacts
		if err := json.Unmarshal(facts, &f); err != nil {
			return nil, err
		}
		rec := payments.Record{PaidInvoices: f.PaidInvoices, Disputes: f.Disputes}
		rec.PaymentID, rec.AccountID, rec.Currency, rec.Method = f.PaymentID, f.AccountID, f.Currency, f.Method
		rec.MethodLabel, rec.GatewayReference, rec.PaidAt = f.MethodLabel, f.GatewayReference, f.PaidAt
		if err := rec.Amount.UnmarshalText([]byte(f.Amount)); err != nil {
			return nil, err
		}
		if err := rec.Refunded.UnmarshalText([]byte(f.Refunded)); err != nil {
			return nil, err
		}
		if f.Disputed != "" {
			if err := rec.Disputed.UnmarshalText([]byte(f.Disputed)); err != nil {
				return nil, err
			}
		}
		view = payments.ViewOf(rec)
	case typ == RunCompleted:
		var run Run
		if err := json.Unmarshal(facts, &run); err != nil {
			return nil, err
		}
		run.AsOf, run.StartedAt = run.AsOf.UTC(), run.StartedAt.UTC()
		if run.FinishedAt != nil {
			at := run.FinishedAt.UTC()
			run.FinishedAt = &at
		}
		view = run
	default:
		return nil, fmt.Errorf("no view of %s", typ)
	}
	return json.Marshal(view)
}
