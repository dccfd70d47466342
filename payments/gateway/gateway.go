// Package gateway is the product's side of a card and PayPal processor
// (§9): an interface that fits a real processor (idempotency keys,
// outcomes that arrive late, refunds) and the sandbox gateway that behaves
// by card number, for demos and tests.
package gateway

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/money"
)

// Gateway moves money through a processor. Every call that moves money
// carries an idempotency key: the same key replays the first result, the
// same key with other parameters is refused with ErrKeyReused.
type Gateway interface {
	// Tokenize hands a card's details to the processor and returns the
	// token that stands for them; the number and code go no further.
	Tokenize(ctx context.Context, card Card) (Token, error)
	// Validate asks whether a tokenized card can be charged.
	Validate(ctx context.Context, token string) (Validation, error)
	// Charge takes money from a card token or a PayPal account. An answer
	// that never came is Outcome Unknown, settled later by Lookup.
	Charge(ctx context.Context, req Charge) (Result, error)
	// Refund pays money back to the card of an earlier charge.
	Refund(ctx context.Context, req Refund) (Result, error)
	// Lookup returns what became of an earlier request; ErrNotFound when
	// the processor never received it.
	Lookup(ctx context.Context, key string) (Result, error)

	// Customer returns the processor's customer for an account, made the
	// first time it is asked for (§9.1); asking again returns the same.
	Customer(ctx context.Context, c CustomerRequest) (string, error)
	// StartCheckout opens the processor's hosted page, where the holder
	// enters a card to keep on file or pays once (§9.1).
	StartCheckout(ctx context.Context, req CheckoutRequest) (Checkout, error)
	// CheckoutOutcome tells what became of a hosted page.
	CheckoutOutcome(ctx context.Context, id string) (CheckoutOutcome, error)
	// ExpireCheckout closes a hosted page the holder left: nothing can be
	// paid or saved on it any more. A page already complete stays so.
	ExpireCheckout(ctx context.Context, id string) error
}

// ErrHostedOnly is a card's details given to a processor that takes them
// only on its hosted page (§9.1: the CLI's --card and the API's card
// object are the sandbox's).
var ErrHostedOnly = errors.New("this payment gateway takes card details only on its hosted page; use the portal or the API's redirect_url")

// ErrAmountNotSupported is an amount the provider cannot take (§9.1): the
// attempt fails with it and charges nothing.
var ErrAmountNotSupported = errors.New("amount_not_supported")

// CustomerRequest names the account a processor's customer stands for.
type CustomerRequest struct {
	AccountID string
	Name      string
	Email     string
}

// The modes of a hosted page.
const (
	ModeSetup   = "setup"   // a card to keep on file
	ModePayment = "payment" // a one-time payment
)

// ReturnPlaceholder in a CheckoutRequest's URLs is replaced by the hosted
// page's id when the holder is sent back (Stripe's own placeholder).
const ReturnPlaceholder = "{CHECKOUT_SESSION_ID}"

// CheckoutRequest opens a hosted page. Key makes opening it twice open one.
type CheckoutRequest struct {
	Key       string
	Mode      string // ModeSetup or ModePayment
	Customer  string
	AccountID string
	Amount    decimal.Decimal // ModePayment
	Currency  money.Currency  // ModePayment
	PayPal    bool            // ModePayment: by PayPal rather than by card
	ReturnURL string          // where a completed page sends the holder, with ReturnPlaceholder
	CancelURL string          // where a page left sends the holder, with ReturnPlaceholder
}

// Checkout is an opened hosted page.
type Checkout struct {
	ID  string
	URL string
}

// The states of a hosted page.
const (
	CheckoutOpen     = "open"
	CheckoutComplete = "complete"
	CheckoutExpired  = "expired"
)

// CheckoutOutcome is what became of a hosted page: once complete, the card
// saved (ModeSetup) or the payment's result (ModePayment).
type CheckoutOutcome struct {
	ID         string
	Status     string // CheckoutOpen, CheckoutComplete or CheckoutExpired
	Mode       string
	Key        string // the request's idempotency key
	Card       Token  // ModeSetup, complete
	HolderName string // ModeSetup, complete
	Result     Result // ModePayment, complete
}

// ErrKeyReused is a request that reuses an idempotency key for other parameters.
var ErrKeyReused = errors.New("idempotency key already used for a different request")

// ErrNotFound is a Lookup of a request the processor never received.
var ErrNotFound = errors.New("no request with this idempotency key")

// Card is a card's details as entered. They are handed to the gateway
// only; String and every error show the last four digits at most.
type Card struct {
	Number   string // digits, spaces allowed
	ExpMonth int
	ExpYear  int // four digits
	CVC      string
	Name     string
}

// String shows what may be shown of a card.
func (c Card) String() string { return fmt.Sprintf("card ending %s", c.Last4()) }

// GoString keeps the details out of %#v.
func (c Card) GoString() string { return c.String() }

// Digits is the number without spaces.
func (c Card) Digits() string { return strings.ReplaceAll(c.Number, " ", "") }

// Last4 is the last four digits of the number.
func (c Card) Last4() string {
	d := c.Digits()
	if len(d) < 4 {
		return "????"
	}
	return d[len(d)-4:]
}

// Check refuses details no processor would take, before any is called:
// a number that is not 12 to 19 digits or fails the Luhn check, a month
// out of range, a security code that is not 3 or 4 digits (§9). The
// errors never repeat the number or the code.
func (c Card) Check() error {
	d := c.Digits()
	if len(d) < 12 || len(d) > 19 || strings.Trim(d, "0123456789") != "" {
		return errors.New("card number must be 12 to 19 digits")
	}
	if !luhn(d) {
		return fmt.Errorf("card number ending %s is not a valid card number (Luhn check failed)", c.Last4())
	}
	if c.ExpMonth < 1 || c.ExpMonth > 12 || c.ExpYear < 2000 || c.ExpYear > 2999 {
		return errors.New("expiry must be MM/YY")
	}
	if len(c.CVC) < 3 || len(c.CVC) > 4 || strings.Trim(c.CVC, "0123456789") != "" {
		return errors.New("security code must be 3 or 4 digits")
	}
	return nil
}

// ParseExpiry reads MM/YY (or MM/YYYY).
func ParseExpiry(s string) (month, year int, err error) {
	var t time.Time
	for _, layout := range []string{"1/06", "1/2006"} {
		if t, err = time.Parse(layout, s); err == nil {
			return int(t.Month()), t.Year(), nil
		}
	}
	return 0, 0, fmt.Errorf("expiry %q is not MM/YY", s)
}

// Expired says whether a card expiring at the end of month/year has
// expired on day (§9: a card is good through its expiry month).
func Expired(month, year int, day time.Time) bool {
	end := time.Date(year, time.Month(month)+1, 1, 0, 0, 0, 0, time.UTC)
	return !day.Before(end)
}

func luhn(digits string) bool {
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		n := int(digits[i] - '0')
		if double {
			if n *= 2; n > 9 {
				n -= 9
			}
		}
		sum += n
		double = !double
	}
	return sum%10 == 0
}

// Brand names a card's network from its number.
func Brand(digits string) string {
	switch {
	case strings.HasPrefix(digits, "4"):
		return "visa"
	case len(digits) >= 2 && digits[0] == '5' && digits[1] >= '1' && digits[1] <= '5',
		len(digits) >= 4 && digits[:4] >= "2221" && digits[:4] <= "2720":
		return "mastercard"
	case strings.HasPrefix(digits, "34"), strings.HasPrefix(digits, "37"):
		return "amex"
	default:
		return "card"
	}
}

// Token is a tokenized card: what the product stores of it.
type Token struct {
	Token    string
	Brand    string
	Last4    string
	ExpMonth int
	ExpYear  int
}

// Validation is a processor's view of a card.
type Validation struct {
	Valid  bool
	Reason string // why not: lost_card, stolen_card, expired_card, ...
}

// Charge is a request to take money. Exactly one of Token and PayPal is set.
type Charge struct {
	Key      string
	Customer string // the processor's customer the token belongs to, where it has them
	Token    string
	PayPal   string // the payer's PayPal e-mail
	Amount   decimal.Decimal
	Currency money.Currency
}

// Refund is a request to pay back part or all of an earlier charge.
type Refund struct {
	Key       string
	Reference string // the charge's reference
	Amount    decimal.Decimal
	Currency  money.Currency
}

// Outcome is what became of a request.
type Outcome string

// The outcomes of a request.
const (
	Succeeded Outcome = "succeeded"
	Declined  Outcome = "declined"
	Unknown   Outcome = "unknown" // no answer: ask again with Lookup, never charge again
)

// Result is a processor's answer.
type Result struct {
	Outcome     Outcome
	DeclineCode string // generic_decline, insufficient_funds, processing_error, lost_card, stolen_card, expired_card, ...
	Hard        bool   // a hard decline: retrying cannot succeed
	Reference   string // the processor's reference of the charge or refund
	Label       string // how the holder paid, where a hosted page tells it ("visa ending 4242")
}

// Request is a request's parameters as one text, to tell a replay (the
// same key and text) from a reuse of the key (the same key, another text).
func (c Charge) Request() string {
	return fmt.Sprintf("charge token=%s paypal=%s amount=%s %s", c.Token, c.PayPal, c.Amount, c.Currency)
}

// Request is the refund's parameters as one text.
func (r Refund) Request() string {
	return fmt.Sprintf("refund of=%s amount=%s %s", r.Reference, r.Amount, r.Currency)
}
