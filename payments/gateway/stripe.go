package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stripe/stripe-go/v82"

	"github.com/openbilling/billing/money"
)

// Stripe is the gateway on Stripe (§9.1), through its official Go library:
// an account is a Customer, a card on file a PaymentMethod saved by a
// Checkout Session in setup mode, an auto-charge a PaymentIntent confirmed
// off-session under the attempt's idempotency key, a one-time payment a
// Checkout Session in payment mode, a payback a Refund. Card details never
// pass through it: Tokenize answers ErrHostedOnly.
type Stripe struct {
	client *stripe.Client
	// Retries is how many times a request is sent again, with backoff and
	// under the same idempotency key, after a 429, a 409, a 5xx or a
	// connection error; Backoff the first wait, doubled each time.
	Retries int
	Backoff time.Duration
	// WebhookSecret verifies the signatures of Stripe's events (whsec_...).
	WebhookSecret string
}

// keyMetadata is the metadata field that carries a request's idempotency
// key, by which Lookup finds what became of it.
const keyMetadata = "billing_idempotency_key"

// NewStripe is the Stripe gateway with a secret key, against apiURL (empty:
// Stripe's own API; the tests give stripe-mock's address) through client
// (nil: Go's default).
func NewStripe(secretKey, apiURL string, client *http.Client) *Stripe {
	cfg := &stripe.BackendConfig{
		HTTPClient:        client,
		MaxNetworkRetries: stripe.Int64(0), // retried here, 429s included
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
	}
	if apiURL != "" {
		cfg.URL = stripe.String(strings.TrimSuffix(apiURL, "/"))
	}
	return &Stripe{client: stripe.NewClient(secretKey, stripe.WithBackends(stripe.NewBackendsWithConfig(cfg))),
		Retries: 4, Backoff: 250 * time.Millisecond}
}

// StripeHTTPClient is the HTTP client of the Stripe gateway for calls up
// to concurrency at once: Go's default keeps two idle connections to a
// host, so with more calls in flight every other call would open a new
// connection, and a new TLS session to Stripe, and close it after. It
// keeps one a call, and times a request out after Stripe's own default,
// 80 seconds.
func StripeHTTPClient(concurrency int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = max(concurrency, 2)
	t.MaxIdleConns = max(concurrency, t.MaxIdleConns)
	return &http.Client{Timeout: 80 * time.Second, Transport: t}
}

// retry sends a request until it is answered, under its idempotency key
// (set by the caller in its params): Stripe replays the first answer of a
// key, so a request sent again after a lost answer is never made twice.
func retry[T any](ctx context.Context, s *Stripe, what string, call func() (T, error)) (T, error) {
	wait := s.Backoff
	for try := 0; ; try++ {
		out, err := call()
		if err == nil || try >= s.Retries || !retriable(err) {
			return out, err
		}
		slog.WarnContext(ctx, "stripe request retried", "request", what, "try", try+1, "error", redacted(err))
		select {
		case <-ctx.Done():
			return out, ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// retriable says whether a request may be sent again: rate limited, in
// conflict with a concurrent request of the same key, a server error, or
// no answer at all.
func retriable(err error) bool {
	var se *stripe.Error
	if !errors.As(err, &se) {
		// No answer: the connection failed or was cut. An answer that came
		// but could not be read is not sent again here; the caller keeps
		// the outcome unknown and asks later.
		var ne net.Error
		return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
	}
	return se.HTTPStatusCode == http.StatusTooManyRequests || se.HTTPStatusCode == http.StatusConflict || se.HTTPStatusCode >= 500
}

// redacted is an error's text as it may be logged: Stripe's message, never
// the request.
func redacted(err error) string {
	var se *stripe.Error
	if errors.As(err, &se) {
		return fmt.Sprintf("%d %s %s", se.HTTPStatusCode, se.Type, se.Code)
	}
	return err.Error()
}

// MinorUnits is an amount in a currency's smallest unit, as Stripe takes
// it (§9.1): zero-decimal currencies in whole units; three-decimal ones only
// in multiples of 10 minor units, others refused with a reason.
func MinorUnits(amount decimal.Decimal, c money.Currency) (int64, error) {
	units := c.MinorUnits()
	minor := amount.Shift(units)
	if !minor.IsInteger() {
		return 0, fmt.Errorf("%s %s is not a whole number of the currency's minor units", amount, c)
	}
	n := minor.IntPart()
	if units == 3 && n%10 != 0 {
		return 0, fmt.Errorf("%s %s: %w: the provider takes this currency only in multiples of 0.010", amount, c, ErrAmountNotSupported)
	}
	return n, nil
}

// stripeHard are Stripe's decline codes that no retry can change (§9's
// hard declines); every other decline is soft.
var stripeHard = map[string]bool{
	"lost_card": true, "stolen_card": true, "expired_card": true, "pickup_card": true, "restricted_card": true,
	"incorrect_number": true, "invalid_number": true, "invalid_account": true, "card_not_supported": true,
	"currency_not_supported": true, "fraudulent": true, "merchant_blacklist": true, "invalid_expiry_month": true,
	"invalid_expiry_year": true, "new_account_information_available": true, "stop_payment_order": true,
	"revocation_of_authorization": true, "revocation_of_all_authorizations": true, "security_violation": true,
	"authentication_required": true,
}

// declineOf maps a Stripe card error to a declined result; ok is false for
// any other error.
func declineOf(err error) (Result, bool) {
	var se *stripe.Error
	if !errors.As(err, &se) || se.Type != stripe.ErrorTypeCard {
		return Result{}, false
	}
	code := string(se.DeclineCode)
	if se.Code == stripe.ErrorCodeAuthenticationRequired || code == "authentication_required" {
		code = "authentication_required" // the bank wants the holder present (§9.1)
	}
	if code == "" {
		code = string(se.Code)
	}
	if code == "" {
		code = "generic_decline"
	}
	res := Result{Outcome: Declined, DeclineCode: code, Hard: stripeHard[code]}
	if se.PaymentIntent != nil {
		res.Reference = se.PaymentIntent.ID
	}
	return res, true
}

// Tokenize is refused: card details reach Stripe only on its hosted page.
func (s *Stripe) Tokenize(context.Context, Card) (Token, error) { return Token{}, ErrHostedOnly }

// Validate asks whether a saved PaymentMethod can still be charged: it
// exists, is attached to its customer and has not expired.
func (s *Stripe) Validate(ctx context.Context, token string) (Validation, error) {
	pm, err := retry(ctx, s, "payment method", func() (*stripe.PaymentMethod, error) {
		return s.client.V1PaymentMethods.Retrieve(ctx, token, nil)
	})
	var se *stripe.Error
	switch {
	case errors.As(err, &se) && se.HTTPStatusCode == http.StatusNotFound:
		return Validation{Reason: "unknown_token"}, nil
	case err != nil:
		return Validation{}, fmt.Errorf("stripe: %s", redacted(err))
	case pm.Customer == nil:
		return Validation{Reason: "detached"}, nil
	case pm.Card != nil && Expired(int(pm.Card.ExpMonth), int(pm.Card.ExpYear), time.Now()):
		return Validation{Reason: "expired_card"}, nil
	}
	return Validation{Valid: true}, nil
}

// Charge confirms a PaymentIntent off-session on the card on file.
func (s *Stripe) Charge(ctx context.Context, req Charge) (Result, error) {
	if req.PayPal != "" {
		return Result{}, fmt.Errorf("stripe: a PayPal payment is made on the hosted page: %w", ErrHostedOnly)
	}
	amount, err := MinorUnits(req.Amount, req.Currency)
	if err != nil {
		return Result{Outcome: Declined, DeclineCode: "amount_not_supported", Hard: true}, nil
	}
	params := &stripe.PaymentIntentCreateParams{
		Amount: stripe.Int64(amount), Currency: stripe.String(strings.ToLower(string(req.Currency))),
		PaymentMethod: stripe.String(req.Token),
		Confirm:       stripe.Bool(true), OffSession: stripe.Bool(true),
		Metadata: map[string]string{keyMetadata: req.Key},
	}
	if req.Customer != "" {
		params.Customer = stripe.String(req.Customer)
	}
	params.SetIdempotencyKey(req.Key)
	pi, err := retry(ctx, s, "payment intent", func() (*stripe.PaymentIntent, error) {
		return s.client.V1PaymentIntents.Create(ctx, params)
	})
	if res, ok := declineOf(err); ok {
		return res, nil
	}
	if err != nil {
		return Result{}, fmt.Errorf("stripe: charging: %s", redacted(err))
	}
	return intentResult(pi), nil
}

// intentResult is what a PaymentIntent's status says of a charge.
func intentResult(pi *stripe.PaymentIntent) Result {
	switch pi.Status {
	case stripe.PaymentIntentStatusSucceeded:
		return Result{Outcome: Succeeded, Reference: pi.ID}
	case stripe.PaymentIntentStatusRequiresAction:
		return Result{Outcome: Declined, DeclineCode: "authentication_required", Hard: true, Reference: pi.ID}
	case stripe.PaymentIntentStatusRequiresPaymentMethod, stripe.PaymentIntentStatusCanceled:
		code := "generic_decline"
		if pi.LastPaymentError != nil && pi.LastPaymentError.DeclineCode != "" {
			code = string(pi.LastPaymentError.DeclineCode)
		}
		return Result{Outcome: Declined, DeclineCode: code, Hard: stripeHard[code], Reference: pi.ID}
	}
	return Result{Outcome: Unknown, Reference: pi.ID} // processing: its event settles it
}

// Refund pays back part or all of a PaymentIntent.
func (s *Stripe) Refund(ctx context.Context, req Refund) (Result, error) {
	amount, err := MinorUnits(req.Amount, req.Currency)
	if err != nil {
		return Result{Outcome: Declined, DeclineCode: "amount_not_supported", Hard: true}, nil
	}
	params := &stripe.RefundCreateParams{PaymentIntent: stripe.String(req.Reference), Amount: stripe.Int64(amount),
		Metadata: map[string]string{keyMetadata: req.Key}}
	params.SetIdempotencyKey(req.Key)
	re, err := retry(ctx, s, "refund", func() (*stripe.Refund, error) { return s.client.V1Refunds.Create(ctx, params) })
	var se *stripe.Error
	if errors.As(err, &se) && se.HTTPStatusCode == http.StatusBadRequest {
		return Result{Outcome: Declined, DeclineCode: string(se.Code), Hard: true}, nil
	}
	if err != nil {
		return Result{}, fmt.Errorf("stripe: refunding: %s", redacted(err))
	}
	return RefundResult(re), nil
}

// RefundResult is what a Refund's status says of a payback.
func RefundResult(re *stripe.Refund) Result {
	switch re.Status {
	case stripe.RefundStatusSucceeded:
		return Result{Outcome: Succeeded, Reference: re.ID}
	case stripe.RefundStatusFailed, stripe.RefundStatusCanceled:
		return Result{Outcome: Declined, DeclineCode: "refund_" + string(re.Status), Hard: true, Reference: re.ID}
	}
	return Result{Outcome: Unknown, Reference: re.ID}
}

// Lookup finds the PaymentIntent a key made, by its metadata. A key it
// cannot find is ErrNotFound: the caller sends the request again under the
// same key, which Stripe answers with the first result if there was one.
func (s *Stripe) Lookup(ctx context.Context, key string) (Result, error) {
	params := &stripe.PaymentIntentSearchParams{SearchParams: stripe.SearchParams{
		Query: fmt.Sprintf("metadata['%s']:'%s'", keyMetadata, strings.ReplaceAll(key, "'", ""))}}
	for pi, err := range s.client.V1PaymentIntents.Search(ctx, params) {
		if err != nil {
			return Result{}, fmt.Errorf("stripe: looking up %s: %s", key, redacted(err))
		}
		if pi.Metadata[keyMetadata] == key {
			return intentResult(pi), nil
		}
	}
	return Result{}, ErrNotFound
}

// Customer makes the account's Customer, once per account (its key).
func (s *Stripe) Customer(ctx context.Context, c CustomerRequest) (string, error) {
	params := &stripe.CustomerCreateParams{Name: stripe.String(c.Name), Metadata: map[string]string{"account_id": c.AccountID}}
	if c.Email != "" {
		params.Email = stripe.String(c.Email)
	}
	params.SetIdempotencyKey("customer-" + c.AccountID)
	cus, err := retry(ctx, s, "customer", func() (*stripe.Customer, error) { return s.client.V1Customers.Create(ctx, params) })
	if err != nil {
		return "", fmt.Errorf("stripe: creating the customer of account %s: %s", c.AccountID, redacted(err))
	}
	return cus.ID, nil
}

// StartCheckout opens a Checkout Session: setup mode saves a card for
// off-session charges, payment mode takes one payment by card or PayPal.
func (s *Stripe) StartCheckout(ctx context.Context, req CheckoutRequest) (Checkout, error) {
	params := &stripe.CheckoutSessionCreateParams{
		Mode: stripe.String(req.Mode), Customer: stripe.String(req.Customer),
		SuccessURL: stripe.String(req.ReturnURL), CancelURL: stripe.String(req.CancelURL),
		ClientReferenceID: stripe.String(req.AccountID),
		Metadata:          map[string]string{keyMetadata: req.Key, "account_id": req.AccountID},
	}
	switch req.Mode {
	case ModeSetup:
		params.Currency = stripe.String("usd") // Checkout's setup mode asks for one; nothing is charged
		params.PaymentMethodTypes = []*string{stripe.String("card")}
		params.SetupIntentData = &stripe.CheckoutSessionCreateSetupIntentDataParams{Metadata: map[string]string{keyMetadata: req.Key}}
	case ModePayment:
		amount, err := MinorUnits(req.Amount, req.Currency)
		if err != nil {
			return Checkout{}, err
		}
		method := "card"
		if req.PayPal {
			method = "paypal"
		}
		params.PaymentMethodTypes = []*string{stripe.String(method)}
		params.LineItems = []*stripe.CheckoutSessionCreateLineItemParams{{
			Quantity: stripe.Int64(1),
			PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{
				Currency: stripe.String(strings.ToLower(string(req.Currency))), UnitAmount: stripe.Int64(amount),
				ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String("Payment on account " + req.AccountID)},
			},
		}}
		params.PaymentIntentData = &stripe.CheckoutSessionCreatePaymentIntentDataParams{Metadata: map[string]string{keyMetadata: req.Key}}
	default:
		return Checkout{}, fmt.Errorf("stripe: no hosted page of mode %q", req.Mode)
	}
	params.SetIdempotencyKey(req.Key)
	cs, err := retry(ctx, s, "checkout session", func() (*stripe.CheckoutSession, error) {
		return s.client.V1CheckoutSessions.Create(ctx, params)
	})
	if err != nil {
		return Checkout{}, fmt.Errorf("stripe: opening the hosted page: %s", redacted(err))
	}
	return Checkout{ID: cs.ID, URL: cs.URL}, nil
}

// CheckoutOutcome reads a Checkout Session with its SetupIntent's card or
// its PaymentIntent.
func (s *Stripe) CheckoutOutcome(ctx context.Context, id string) (CheckoutOutcome, error) {
	params := &stripe.CheckoutSessionRetrieveParams{}
	params.AddExpand("setup_intent.payment_method")
	params.AddExpand("payment_intent")
	cs, err := retry(ctx, s, "checkout session", func() (*stripe.CheckoutSession, error) {
		return s.client.V1CheckoutSessions.Retrieve(ctx, id, params)
	})
	var se *stripe.Error
	switch {
	case errors.As(err, &se) && se.HTTPStatusCode == http.StatusNotFound:
		return CheckoutOutcome{}, ErrNotFound
	case err != nil:
		return CheckoutOutcome{}, fmt.Errorf("stripe: reading hosted page %s: %s", id, redacted(err))
	}
	return SessionOutcome(cs), nil
}

// SessionOutcome is what a Checkout Session says (as read, or as an event
// carries it).
func SessionOutcome(cs *stripe.CheckoutSession) CheckoutOutcome {
	out := CheckoutOutcome{ID: cs.ID, Mode: string(cs.Mode), Key: cs.Metadata[keyMetadata], Status: CheckoutOpen}
	switch cs.Status {
	case stripe.CheckoutSessionStatusExpired:
		out.Status = CheckoutExpired
		return out
	case stripe.CheckoutSessionStatusComplete:
	default:
		return out
	}
	if cs.Mode == stripe.CheckoutSessionModeSetup {
		if cs.SetupIntent == nil || cs.SetupIntent.PaymentMethod == nil {
			return out // complete, but the card is not told here: read again
		}
		pm := cs.SetupIntent.PaymentMethod
		out.Status, out.Card.Token = CheckoutComplete, pm.ID
		if pm.Card != nil {
			out.Card.Brand, out.Card.Last4 = string(pm.Card.Brand), pm.Card.Last4
			out.Card.ExpMonth, out.Card.ExpYear = int(pm.Card.ExpMonth), int(pm.Card.ExpYear)
		}
		if pm.BillingDetails != nil {
			out.HolderName = pm.BillingDetails.Name
		}
		return out
	}
	if cs.PaymentStatus != stripe.CheckoutSessionPaymentStatusPaid {
		return out // complete but not yet paid: its payment_intent event settles it
	}
	out.Status = CheckoutComplete
	out.Result = Result{Outcome: Succeeded, Label: "card or PayPal by Stripe Checkout"}
	if cs.PaymentIntent != nil {
		out.Result.Reference = cs.PaymentIntent.ID
	}
	return out
}

// ExpireCheckout expires an open Checkout Session.
func (s *Stripe) ExpireCheckout(ctx context.Context, id string) error {
	_, err := retry(ctx, s, "checkout session", func() (*stripe.CheckoutSession, error) {
		return s.client.V1CheckoutSessions.Expire(ctx, id, nil)
	})
	var se *stripe.Error
	if errors.As(err, &se) && se.HTTPStatusCode == http.StatusBadRequest {
		return nil // not open any more: complete or expired already
	}
	if err != nil {
		return fmt.Errorf("stripe: expiring hosted page %s: %s", id, redacted(err))
	}
	return nil
}
