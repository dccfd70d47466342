package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/openbilling/billing/money"
)

// Event is a provider's event as the product acts on it (§9.1), whatever
// the provider: exactly one of its parts is set, or none for an event the
// product takes no action on.
type Event struct {
	ID   string
	Type string

	Checkout string   // a hosted page that may have completed or expired
	Charge   *Settled // a charge or payback whose outcome is now known
	Dispute  *Dispute // a dispute opened, changed or closed
	Card     *CardUpdate
}

// Settled is an outcome learned from an event, by the request's key (a
// charge's or a payback's).
type Settled struct {
	Key    string
	Result Result
}

// The states of a dispute.
const (
	DisputeOpen = "open"
	DisputeWon  = "won"
	DisputeLost = "lost"
)

// Dispute is a dispute as the provider tells it now: the product's record
// follows it to its latest state, whatever the order of the events.
type Dispute struct {
	ID        string
	Reference string // the disputed charge's reference, as Charge answered it
	Amount    decimal.Decimal
	Currency  money.Currency
	Reason    string
	Status    string // DisputeOpen, DisputeWon or DisputeLost
}

// CardUpdate is a card's details the networks updated: the card stays on
// file with its new expiry or last four digits.
type CardUpdate struct {
	Token    string
	Brand    string
	Last4    string
	ExpMonth int
	ExpYear  int
}

// StripeTolerance is how old a signed event may be (§9.1: 5 minutes).
const StripeTolerance = 5 * time.Minute

// ErrBadSignature is an event whose Stripe-Signature does not verify.
var ErrBadSignature = errors.New("the Stripe-Signature header does not verify: wrong secret, altered body or older than 5 minutes")

// VerifyStripeEvent checks a payload's Stripe-Signature (HMAC-SHA256 of
// "t.body" with the webhook secret, at most StripeTolerance old) and
// returns its id and type.
func VerifyStripeEvent(payload []byte, header, secret string) (id, typ string, err error) {
	e, err := webhook.ConstructEventWithOptions(payload, header, secret, webhook.ConstructEventOptions{
		Tolerance: StripeTolerance, IgnoreAPIVersionMismatch: true})
	if err != nil {
		return "", "", ErrBadSignature
	}
	if e.ID == "" || e.Type == "" {
		return "", "", errors.New("the event has no id or type")
	}
	return e.ID, string(e.Type), nil
}

// ParseStripeEvent reads a verified payload into what the product acts on.
func ParseStripeEvent(payload []byte) (Event, error) {
	var e stripe.Event
	if err := json.Unmarshal(payload, &e); err != nil {
		return Event{}, fmt.Errorf("reading the event: %w", err)
	}
	out := Event{ID: e.ID, Type: string(e.Type)}
	if e.Data == nil {
		return out, nil
	}
	raw := e.Data.Raw
	var err error
	switch e.Type {
	case "checkout.session.completed", "checkout.session.async_payment_succeeded", "checkout.session.async_payment_failed",
		"checkout.session.expired":
		var cs stripe.CheckoutSession
		err = json.Unmarshal(raw, &cs)
		out.Checkout = cs.ID
	case "payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled", "payment_intent.requires_action":
		var pi stripe.PaymentIntent
		if err = json.Unmarshal(raw, &pi); err == nil && pi.Metadata[keyMetadata] != "" {
			out.Charge = &Settled{Key: pi.Metadata[keyMetadata], Result: intentResult(&pi)}
		}
	case "refund.created", "refund.updated", "refund.failed", "charge.refund.updated":
		var re stripe.Refund
		if err = json.Unmarshal(raw, &re); err == nil && re.Metadata[keyMetadata] != "" {
			out.Charge = &Settled{Key: re.Metadata[keyMetadata], Result: RefundResult(&re)}
		}
	case "charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed", "charge.dispute.funds_withdrawn",
		"charge.dispute.funds_reinstated":
		var d stripe.Dispute
		if err = json.Unmarshal(raw, &d); err == nil {
			out.Dispute, err = stripeDispute(&d)
		}
	case "payment_method.automatically_updated", "payment_method.updated":
		var pm stripe.PaymentMethod
		if err = json.Unmarshal(raw, &pm); err == nil && pm.Card != nil {
			out.Card = &CardUpdate{Token: pm.ID, Brand: string(pm.Card.Brand), Last4: pm.Card.Last4,
				ExpMonth: int(pm.Card.ExpMonth), ExpYear: int(pm.Card.ExpYear)}
		}
	}
	if err != nil {
		return Event{}, fmt.Errorf("reading the %s event %s: %w", e.Type, e.ID, err)
	}
	return out, nil
}

// stripeDispute reads a Stripe Dispute: its amount from minor units, its
// status as won, lost or (any other) open.
func stripeDispute(d *stripe.Dispute) (*Dispute, error) {
	c, err := money.ParseCurrency(strings.ToUpper(string(d.Currency)))
	if err != nil {
		return nil, fmt.Errorf("dispute %s: %w", d.ID, err)
	}
	out := &Dispute{ID: d.ID, Amount: decimal.New(d.Amount, -c.MinorUnits()), Currency: c, Reason: string(d.Reason), Status: DisputeOpen}
	switch d.Status {
	case stripe.DisputeStatusWon:
		out.Status = DisputeWon
	case stripe.DisputeStatusLost:
		out.Status = DisputeLost
	}
	switch {
	case d.PaymentIntent != nil && d.PaymentIntent.ID != "":
		out.Reference = d.PaymentIntent.ID
	case d.Charge != nil:
		out.Reference = d.Charge.ID
	}
	if out.Reference == "" {
		return nil, fmt.Errorf("dispute %s names no payment", d.ID)
	}
	return out, nil
}

// EventSource is a gateway whose provider tells outcomes by signed events
// (§9.1): it verifies an event's signature and reads what it tells.
type EventSource interface {
	VerifyEvent(payload []byte, signature string) (id, typ string, err error)
	ParseEvent(payload []byte) (Event, error)
}

// VerifyEvent checks a Stripe event's signature with the webhook secret.
func (s *Stripe) VerifyEvent(payload []byte, signature string) (id, typ string, err error) {
	if s.WebhookSecret == "" {
		return "", "", errors.New("stripe_webhook_secret is not set: events cannot be verified")
	}
	return VerifyStripeEvent(payload, signature, s.WebhookSecret)
}

// ParseEvent reads a verified Stripe event.
func (s *Stripe) ParseEvent(payload []byte) (Event, error) { return ParseStripeEvent(payload) }
