package gateway_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/internal/testkit/stripemock"
	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/payments/gateway"
)

// TestStripeRequestsAreAcceptedByStripesMock sends every kind of request
// the Stripe gateway makes to stripe-mock, which checks each against
// Stripe's OpenAPI description (an unknown parameter, a missing one or a
// wrong type is a 400) and answers with Stripe's fixtures.
func TestStripeRequestsAreAcceptedByStripesMock(t *testing.T) {
	s := gateway.NewStripe("sk_test_123", stripemock.Start(t), nil)
	s.Retries = 0 // a refusal shows at once
	ctx := context.Background()

	customer, err := s.Customer(ctx, gateway.CustomerRequest{AccountID: "A1", Name: "Acme", Email: "ap@acme.example"})
	if err != nil || !strings.HasPrefix(customer, "cus_") {
		t.Fatalf("customer: %q, %v", customer, err)
	}
	for _, req := range []gateway.CheckoutRequest{
		{Key: "k-setup", Mode: gateway.ModeSetup, Customer: customer, AccountID: "A1",
			ReturnURL: "https://billing.example/return?session=" + gateway.ReturnPlaceholder, CancelURL: "https://billing.example/cancel"},
		{Key: "k-pay-card", Mode: gateway.ModePayment, Customer: customer, AccountID: "A1", Amount: decimal.RequireFromString("12.50"), Currency: "USD",
			ReturnURL: "https://billing.example/return", CancelURL: "https://billing.example/cancel"},
		{Key: "k-pay-paypal", Mode: gateway.ModePayment, Customer: customer, AccountID: "A1", Amount: decimal.RequireFromString("1200"), Currency: "JPY",
			PayPal: true, ReturnURL: "https://billing.example/return", CancelURL: "https://billing.example/cancel"},
	} {
		c, err := s.StartCheckout(ctx, req)
		if err != nil || !strings.HasPrefix(c.ID, "cs_") || !strings.HasPrefix(c.URL, "https://") {
			t.Fatalf("checkout %s: %+v, %v", req.Key, c, err)
		}
		out, err := s.CheckoutOutcome(ctx, c.ID)
		if err != nil || out.ID == "" {
			t.Fatalf("checkout outcome %s: %+v, %v", c.ID, out, err)
		}
		if err := s.ExpireCheckout(ctx, c.ID); err != nil {
			t.Fatalf("expire %s: %v", c.ID, err)
		}
	}
	res, err := s.Charge(ctx, gateway.Charge{Key: "inv-1-attempt-1", Customer: customer, Token: "pm_123",
		Amount: decimal.RequireFromString("7.87"), Currency: "USD"})
	if err != nil || !strings.HasPrefix(res.Reference, "pi_") {
		t.Fatalf("charge: %+v, %v", res, err)
	}
	back, err := s.Refund(ctx, gateway.Refund{Key: "refund-1", Reference: res.Reference, Amount: decimal.RequireFromString("2.00"), Currency: "USD"})
	if err != nil || !strings.HasPrefix(back.Reference, "re_") || back.Outcome != gateway.Succeeded {
		t.Fatalf("refund: %+v, %v", back, err)
	}
	if _, err := s.Lookup(ctx, "inv-1-attempt-1"); err != nil && !errors.Is(err, gateway.ErrNotFound) {
		t.Fatalf("lookup: %v", err)
	}
	if _, err := s.Validate(ctx, "pm_123"); err != nil {
		t.Fatalf("validate: %v", err)
	}
	if _, err := s.Tokenize(ctx, gateway.Card{Number: "4242424242424242"}); !errors.Is(err, gateway.ErrHostedOnly) {
		t.Fatalf("tokenize: %v, want ErrHostedOnly", err)
	}
}

// TestStripeAmountsInMinorUnits: zero-decimal currencies in whole units,
// three-decimal ones only in multiples of 10 minor units (§9.1).
func TestStripeAmountsInMinorUnits(t *testing.T) {
	for _, c := range []struct {
		amount, currency string
		want             int64
		refused          bool
	}{
		{"12.50", "USD", 1250, false}, {"1200", "JPY", 1200, false}, {"1200", "KRW", 1200, false},
		{"1.230", "KWD", 1230, false}, {"1.234", "KWD", 0, true}, {"0.01", "USD", 1, false},
	} {
		got, err := gateway.MinorUnits(decimal.RequireFromString(c.amount), money.Currency(c.currency))
		if (err != nil) != c.refused || got != c.want {
			t.Errorf("%s %s: %d, %v; want %d (refused %t)", c.amount, c.currency, got, err, c.want, c.refused)
		}
	}
}

// A 429 is sent again, after a backoff, under the same idempotency key.
func TestStripeSendsARateLimitedRequestAgainUnderTheSameKey(t *testing.T) {
	var keys []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		w.Header().Set("Content-Type", "application/json")
		if len(keys) == 1 {
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"error": {"type": "invalid_request_error", "code": "rate_limit", "message": "Too many requests"}}`))
			return
		}
		_, _ = w.Write([]byte(`{"id": "pi_1", "object": "payment_intent", "status": "succeeded", "amount": 787, "currency": "usd"}`))
	}))
	defer srv.Close()
	s := gateway.NewStripe("sk_test_123", srv.URL, nil)
	s.Backoff = time.Millisecond
	res, err := s.Charge(context.Background(), gateway.Charge{Key: "inv-9-attempt-1", Token: "pm_1", Amount: decimal.RequireFromString("7.87"), Currency: "USD"})
	if err != nil || res.Outcome != gateway.Succeeded || res.Reference != "pi_1" {
		t.Fatalf("charge: %+v, %v", res, err)
	}
	if strings.Join(keys, " ") != "inv-9-attempt-1 inv-9-attempt-1" {
		t.Fatalf("requests' keys: %q", keys)
	}
}

// A card declined off-session maps to §9's soft and hard declines, and
// authentication_required is hard (not retried, the holder e-mailed).
func TestStripeDeclinesMapToSoftAndHard(t *testing.T) {
	for code, hard := range map[string]bool{"insufficient_funds": false, "generic_decline": false, "lost_card": true,
		"expired_card": true, "authentication_required": true} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusPaymentRequired)
			_, _ = w.Write([]byte(`{"error": {"type": "card_error", "code": "card_declined", "decline_code": "` + code + `", "message": "declined",
				"payment_intent": {"id": "pi_d", "object": "payment_intent", "status": "requires_payment_method"}}}`))
		}))
		s := gateway.NewStripe("sk_test_123", srv.URL, nil)
		res, err := s.Charge(context.Background(), gateway.Charge{Key: "k", Token: "pm_1", Amount: decimal.RequireFromString("1.00"), Currency: "USD"})
		srv.Close()
		if err != nil || res.Outcome != gateway.Declined || res.DeclineCode != code || res.Hard != hard || res.Reference != "pi_d" {
			t.Errorf("%s: %+v, %v; want declined, hard %t", code, res, err, hard)
		}
	}
}

// The Stripe gateway's client keeps a connection for each call in flight:
// three waves of 40 calls at once open 40 connections, not one a call
// beyond Go's default two.
func TestTheStripeClientKeepsAConnectionACall(t *testing.T) {
	t.Parallel()
	var conns atomic.Int64
	release := make(chan struct{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { <-release }))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	client := gateway.StripeHTTPClient(40)
	for wave := 0; wave < 3; wave++ {
		var wg sync.WaitGroup
		for range 40 {
			wg.Go(func() {
				resp, err := client.Get(srv.URL)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body) //nolint:errcheck // drained so that the connection is kept
				resp.Body.Close()
			})
		}
		for conns.Load() < 40 && wave == 0 {
			time.Sleep(time.Millisecond)
		}
		for range 40 {
			release <- struct{}{}
		}
		wg.Wait()
	}
	if n := conns.Load(); n != 40 {
		t.Errorf("%d connections for 120 calls, 40 at a time; want 40", n)
	}
}
