package gateway

import (
	"context"
	"fmt"

	"golang.org/x/time/rate"
)

// Limited bounds what a process asks of a real provider: at most
// Concurrency calls in flight, and requests at most at a rate (a token
// bucket shared by every caller of the process; Stripe's default live
// limit is 100 per second). A call waiting for its turn waits for its
// context, never fails for the limit.
type Limited struct {
	Gateway
	slots  chan struct{}
	bucket *rate.Limiter
}

// NewLimited limits g to concurrency calls at once (0: no bound) and
// perSecond requests a second (0: no bound).
func NewLimited(g Gateway, concurrency int, perSecond float64) *Limited {
	l := &Limited{Gateway: g, bucket: rate.NewLimiter(rate.Inf, 0)}
	if concurrency > 0 {
		l.slots = make(chan struct{}, concurrency)
	}
	if perSecond > 0 {
		l.bucket = rate.NewLimiter(rate.Limit(perSecond), max(1, int(perSecond/10)))
	}
	return l
}

// turn waits for a slot and a token.
func (l *Limited) turn(ctx context.Context) (release func(), err error) {
	release = func() {}
	if l.slots != nil {
		select {
		case l.slots <- struct{}{}:
			release = func() { <-l.slots }
		case <-ctx.Done():
			return release, fmt.Errorf("waiting for the payment gateway: %w", ctx.Err())
		}
	}
	if err := l.bucket.Wait(ctx); err != nil {
		release()
		return func() {}, fmt.Errorf("waiting for the payment gateway's rate limit: %w", err)
	}
	return release, nil
}

// limited runs one call in its turn.
func limited[T any](ctx context.Context, l *Limited, call func() (T, error)) (T, error) {
	release, err := l.turn(ctx)
	defer release()
	if err != nil {
		var zero T
		return zero, err
	}
	return call()
}

// Tokenize in turn.
func (l *Limited) Tokenize(ctx context.Context, c Card) (Token, error) {
	return limited(ctx, l, func() (Token, error) { return l.Gateway.Tokenize(ctx, c) })
}

// Validate in turn.
func (l *Limited) Validate(ctx context.Context, token string) (Validation, error) {
	return limited(ctx, l, func() (Validation, error) { return l.Gateway.Validate(ctx, token) })
}

// Charge in turn.
func (l *Limited) Charge(ctx context.Context, req Charge) (Result, error) {
	return limited(ctx, l, func() (Result, error) { return l.Gateway.Charge(ctx, req) })
}

// Refund in turn.
func (l *Limited) Refund(ctx context.Context, req Refund) (Result, error) {
	return limited(ctx, l, func() (Result, error) { return l.Gateway.Refund(ctx, req) })
}

// Lookup in turn.
func (l *Limited) Lookup(ctx context.Context, key string) (Result, error) {
	return limited(ctx, l, func() (Result, error) { return l.Gateway.Lookup(ctx, key) })
}

// Customer in turn.
func (l *Limited) Customer(ctx context.Context, c CustomerRequest) (string, error) {
	return limited(ctx, l, func() (string, error) { return l.Gateway.Customer(ctx, c) })
}

// StartCheckout in turn.
func (l *Limited) StartCheckout(ctx context.Context, req CheckoutRequest) (Checkout, error) {
	return limited(ctx, l, func() (Checkout, error) { return l.Gateway.StartCheckout(ctx, req) })
}

// CheckoutOutcome in turn.
func (l *Limited) CheckoutOutcome(ctx context.Context, id string) (CheckoutOutcome, error) {
	return limited(ctx, l, func() (CheckoutOutcome, error) { return l.Gateway.CheckoutOutcome(ctx, id) })
}

// ExpireCheckout in turn.
func (l *Limited) ExpireCheckout(ctx context.Context, id string) error {
	_, err := limited(ctx, l, func() (struct{}, error) { return struct{}{}, l.Gateway.ExpireCheckout(ctx, id) })
	return err
}
