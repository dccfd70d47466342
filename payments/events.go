package payments

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/openbilling/billing/payments/gateway"
	"github.com/openbilling/billing/store"
)

// Provider events (§9.1): each signed event is kept once by its id, in the
// transaction that queues its processing, before the provider is answered;
// a crash between the answer and the processing loses none. Processing is
// idempotent in every part, so an event repeated, or arriving after a
// later one, changes nothing twice.

// EventQueue queues the processing of a provider's event kept in tx.
type EventQueue interface {
	ProcessEventTx(ctx context.Context, tx *store.Tx, provider, eventID string) error
}

// ErrNoEvents is an event sent to a billing whose gateway takes none.
var ErrNoEvents = errors.New("the payment gateway in use sends no events")

// ReceiveEvent verifies a provider's event and keeps it, queued; kept is
// false for an event kept before. Without a queue it is processed at once.
func (s *Service) ReceiveEvent(ctx context.Context, payload []byte, signature string, asOf time.Time) (id string, kept bool, err error) {
	src, ok := s.eventSource()
	if !ok {
		return "", false, ErrNoEvents
	}
	id, typ, err := src.VerifyEvent(payload, signature)
	if err != nil {
		return "", false, invalid(err)
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if kept, err = store.InsertProviderEvent(ctx, tx, s.provider(), id, typ, payload); err != nil || !kept || s.Events == nil {
			return err
		}
		return s.Events.ProcessEventTx(ctx, tx, s.provider(), id)
	})
	if err != nil {
		return id, false, fmt.Errorf("keeping event %s: %w", id, err)
	}
	if kept && s.Events == nil {
		_, err = s.ProcessEvent(ctx, id, asOf)
	}
	return id, kept, err
}

// ProcessEvent acts on a kept event once and records what it did; an event
// processed before is left as it is.
func (s *Service) ProcessEvent(ctx context.Context, id string, asOf time.Time) (string, error) {
	src, ok := s.eventSource()
	if !ok {
		return "", ErrNoEvents
	}
	e, found, err := store.ProviderEventByID(ctx, s.DB, s.provider(), id)
	switch {
	case err != nil:
		return "", err
	case !found:
		return "", fmt.Errorf("no event %s kept", id)
	case e.Processed:
		return e.Outcome, nil
	}
	event, err := src.ParseEvent([]byte(e.Payload))
	if err != nil {
		return "", err
	}
	outcome, err := s.HandleEvent(ctx, event, asOf)
	if err != nil {
		return "", fmt.Errorf("processing event %s (%s): %w", id, e.Type, err)
	}
	if err := store.MarkProviderEvent(ctx, s.DB, s.provider(), id, outcome); err != nil {
		return "", err
	}
	return outcome, nil
}

// eventSource is the gateway as a source of events, if it is one.
func (s *Service) eventSource() (gateway.EventSource, bool) {
	g := s.Gateway
	if l, ok := g.(*gateway.Limited); ok {
		g = l.Gateway
	}
	src, ok := g.(gateway.EventSource)
	return src, ok
}

// TakesEvents says whether the gateway in use sends signed events.
func (s *Service) TakesEvents() bool {
	_, ok := s.eventSource()
	return ok
}
