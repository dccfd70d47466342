package gateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/store"
)

// Sandbox is the gateway of §9's table: it behaves by card number and
// keeps its books (tokens with their behaviour, requests by idempotency
// key) in its own tables of the billing database, so that a request asked
// about from another process, or after a crash, gets the same answer.
type Sandbox struct {
	DB  *store.DB
	Now func() time.Time // the sandbox's clock, for card expiry; time.Now when nil
	// PublicURL is where billing serve is reached, which serves the
	// sandbox's hosted pages (CheckoutHandler).
	PublicURL string
}

// The sandbox's behaviours, by card number (§9).
const (
	behaveOK         = "ok"
	behaveDeclineAll = "decline_every_charge"
	behaveLost       = "lost_card"
	behaveStolen     = "stolen_card"
	behaveExpired    = "expired_card"
	behaveNoAnswer   = "no_answer"
)

// softFirst are the cards whose first charge declines softly and whose
// later charges succeed, so that a retry can be seen to work.
var softFirst = map[string]string{
	"4000000000000002": "generic_decline",
	"4000000000009995": "insufficient_funds",
	"4000000000000119": "processing_error",
}

// The PayPal accounts of the sandbox.
const (
	PayPalBuyer    = "buyer@example.com"
	PayPalDeclined = "declined@example.com"
)

// isSoftFirst says whether a behaviour declines the first charge softly.
func isSoftFirst(behaviour string) bool {
	for _, code := range softFirst {
		if code == behaviour {
			return true
		}
	}
	return false
}

func behaviourOf(digits string) string {
	if code, ok := softFirst[digits]; ok {
		return code
	}
	switch digits {
	case "4000000000000341":
		return behaveDeclineAll
	case "4000000000009987":
		return behaveLost
	case "4000000000009979":
		return behaveStolen
	case "4000000000000069":
		return behaveExpired
	case "4000000000005126":
		return behaveNoAnswer
	}
	return behaveOK
}

func (s *Sandbox) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func newReference(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// Tokenize checks the card and keeps its behaviour under a new token.
func (s *Sandbox) Tokenize(ctx context.Context, card Card) (Token, error) {
	if err := card.Check(); err != nil {
		return Token{}, err
	}
	digits := card.Digits()
	t := Token{Token: newReference("tok_sbx_"), Brand: Brand(digits), Last4: card.Last4(), ExpMonth: card.ExpMonth, ExpYear: card.ExpYear}
	err := store.InsertSandboxCard(ctx, s.DB, store.SandboxCard{Token: t.Token, Behaviour: behaviourOf(digits), ExpMonth: card.ExpMonth, ExpYear: card.ExpYear})
	if err != nil {
		return Token{}, fmt.Errorf("sandbox gateway: %w", err)
	}
	return t, nil
}

// Validate says a lost, stolen or expired card is invalid.
func (s *Sandbox) Validate(ctx context.Context, token string) (Validation, error) {
	c, found, err := store.SandboxCardByToken(ctx, s.DB, token)
	switch {
	case err != nil:
		return Validation{}, fmt.Errorf("sandbox gateway: %w", err)
	case !found:
		return Validation{Reason: "unknown_token"}, nil
	}
	if reason := s.refusal(c); reason != "" {
		return Validation{Reason: reason}, nil
	}
	return Validation{Valid: true}, nil
}

// refusal is why a card can never be charged, or "".
func (s *Sandbox) refusal(c store.SandboxCard) string {
	switch {
	case c.Behaviour == behaveLost, c.Behaviour == behaveStolen, c.Behaviour == behaveExpired:
		return c.Behaviour
	case Expired(c.ExpMonth, c.ExpYear, s.now()):
		return behaveExpired
	}
	return ""
}

// Charge answers by the card's behaviour; a repeated key replays the first answer.
//
// A new key, the usual case, costs one transaction of two statements: the
// card's count and the request. A key used before is found when its
// request is refused a second time; that transaction is rolled back (the
// card's count with it) and the first answer replayed.
func (s *Sandbox) Charge(ctx context.Context, req Charge) (Result, error) {
	if req.Key == "" {
		return Result{}, errNoKey
	}
	rec := store.SandboxRequest{Key: req.Key, Request: req.Request(), Kind: "charge", Amount: req.Amount, Currency: string(req.Currency),
		Status: string(Succeeded), Reference: newReference("ch_sbx_"), Answered: true}
	// The card's count of charges and the request are kept together.
	// errTaken: another call took the key meanwhile; its answer is the answer.
	errTaken := errors.New("key taken")
	err := s.DB.InTx(ctx, func(tx *store.Tx) error { // its commit does not wait for the disk (InsertSandboxRequest)
		if req.PayPal != "" {
			if req.PayPal != PayPalBuyer {
				rec.Status, rec.DeclineCode, rec.Hard = string(Declined), "paypal_declined", req.PayPal != PayPalDeclined
			}
		} else {
			c, found, err := store.TakeSandboxCharge(ctx, tx, req.Token)
			if err != nil {
				return err
			}
			switch soft := isSoftFirst(c.Behaviour); {
			case !found:
				rec.Status, rec.DeclineCode, rec.Hard = string(Declined), "unknown_token", true
			case s.refusal(c) != "":
				rec.Status, rec.DeclineCode, rec.Hard = string(Declined), s.refusal(c), true
			case c.Behaviour == behaveDeclineAll:
				rec.Status, rec.DeclineCode = string(Declined), "generic_decline"
			case soft && c.Charges == 0:
				rec.Status, rec.DeclineCode = string(Declined), c.Behaviour
			case c.Behaviour == behaveNoAnswer:
				rec.Answered = false // charged, but the answer is lost on the way
			}
		}
		inserted, err := store.InsertSandboxRequest(ctx, tx, rec)
		if err == nil && !inserted {
			err = errTaken
		}
		return err
	})
	if errors.Is(err, errTaken) {
		r, _, err := s.replay(ctx, rec.Key, rec.Request)
		return r, err
	}
	if err != nil {
		return Result{}, fmt.Errorf("sandbox gateway: %w", err)
	}
	return resultOf(rec, rec.Answered), nil
}

// Refund pays back part of a succeeded charge, never more than is left of it.
func (s *Sandbox) Refund(ctx context.Context, req Refund) (Result, error) {
	if r, replayed, err := s.replay(ctx, req.Key, req.Request()); replayed || err != nil {
		return r, err
	}
	rec := store.SandboxRequest{Key: req.Key, Request: req.Request(), Kind: "refund", Amount: req.Amount, Currency: string(req.Currency),
		Status: string(Succeeded), Reference: newReference("re_sbx_"), Answered: true}
	charge, found, err := store.SandboxRequestByKey(ctx, s.DB, "", req.Reference)
	if err != nil {
		return Result{}, fmt.Errorf("sandbox gateway: %w", err)
	}
	refunded := decimal.Zero
	if found {
		if refunded, err = store.SandboxRefunded(ctx, s.DB, req.Reference); err != nil {
			return Result{}, fmt.Errorf("sandbox gateway: %w", err)
		}
	}
	if !found || charge.Kind != "charge" || charge.Status != string(Succeeded) || refunded.Add(req.Amount).GreaterThan(charge.Amount) {
		rec.Status, rec.DeclineCode, rec.Hard = string(Declined), "refund_exceeds_charge", true
	}
	return s.record(ctx, rec)
}

// Lookup answers what became of a request, and answers it from then on.
func (s *Sandbox) Lookup(ctx context.Context, key string) (Result, error) {
	r, found, err := store.SandboxRequestByKey(ctx, s.DB, key, "")
	switch {
	case err != nil:
		return Result{}, fmt.Errorf("sandbox gateway: %w", err)
	case !found:
		return Result{}, ErrNotFound
	}
	if !r.Answered {
		if err := store.AnswerSandboxRequest(ctx, s.DB, key); err != nil {
			return Result{}, fmt.Errorf("sandbox gateway: %w", err)
		}
	}
	return resultOf(r, true), nil
}

var errNoKey = errors.New("sandbox gateway: a request needs an idempotency key")

// replay returns the first answer to a key already used for the same request.
func (s *Sandbox) replay(ctx context.Context, key, request string) (Result, bool, error) {
	if key == "" {
		return Result{}, false, errNoKey
	}
	r, found, err := store.SandboxRequestByKey(ctx, s.DB, key, "")
	switch {
	case err != nil:
		return Result{}, false, fmt.Errorf("sandbox gateway: %w", err)
	case !found:
		return Result{}, false, nil
	case r.Request != request:
		return Result{}, true, ErrKeyReused
	}
	res, err := s.Lookup(ctx, key)
	return res, true, err
}

// record keeps a new request; if another call took its key meanwhile, that
// call's answer is the answer.
func (s *Sandbox) record(ctx context.Context, rec store.SandboxRequest) (Result, error) {
	inserted, err := store.InsertSandboxRequest(ctx, s.DB, rec)
	if err != nil {
		return Result{}, fmt.Errorf("sandbox gateway: %w", err)
	}
	if !inserted {
		r, _, err := s.replay(ctx, rec.Key, rec.Request)
		return r, err
	}
	return resultOf(rec, rec.Answered), nil
}

func resultOf(r store.SandboxRequest, answered bool) Result {
	if !answered {
		return Result{Outcome: Unknown}
	}
	return Result{Outcome: Outcome(r.Status), DeclineCode: r.DeclineCode, Hard: r.Hard, Reference: r.Reference}
}
