package payments

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/payments/gateway"
	"github.com/openbilling/billing/store"
)

// Hosted pages (§9.1): a card on file or a one-time payment is entered on
// the provider's page, never on the product's. The holder is sent there
// and back; the card or payment is recorded when the provider confirms it,
// by the return or by the provider's event, whichever comes first, once.

// HostedRequest opens a hosted page for an account.
type HostedRequest struct {
	AccountID string
	Mode      string // gateway.ModeSetup or gateway.ModePayment
	// A payment: of the whole balance in Currency (All) or of Amount, by
	// card or (PayPal) by PayPal.
	Currency money.Currency
	Amount   decimal.Decimal
	All      bool
	PayPal   bool
	// A card: made the default card (the account's first card is anyway).
	MakeDefault bool
	// IdempotencyKey is the client's: the same key opens the same page.
	IdempotencyKey string
	// ReturnURL and CancelURL are where the page sends the holder back,
	// with gateway.ReturnPlaceholder for the page's id.
	ReturnURL, CancelURL string
	AsOf                 time.Time
}

// Hosted is an opened page: where to send the holder.
type Hosted struct {
	CheckoutID  string `json:"checkout_id"`
	RedirectURL string `json:"redirect_url"`
	Key         string `json:"idempotency_key"`
}

// HostedOutcome is what became of a page: a card on file (MethodID) or a
// payment (Payment) once complete.
type HostedOutcome struct {
	Mode     string
	Status   string // open, complete or expired
	MethodID int64
	Payment  Result
}

// ErrNoCheckout is a page the product did not open.
var ErrNoCheckout = errors.New("no such hosted page")

// provider names the gateway in the records of its customers and pages.
func (s *Service) provider() string {
	if s.Provider != "" {
		return s.Provider
	}
	return "sandbox"
}

// customer is the provider's customer of an account, made when first needed.
func (s *Service) customer(ctx context.Context, c store.Contact, accountID string) (string, error) {
	id, found, err := store.GatewayCustomer(ctx, s.DB, accountID, s.provider())
	if err != nil || found {
		return id, err
	}
	if id, err = s.Gateway.Customer(ctx, gateway.CustomerRequest{AccountID: accountID, Name: c.Name, Email: c.Email}); err != nil {
		return "", err
	}
	if err := store.InsertGatewayCustomer(ctx, s.DB, accountID, s.provider(), id); err != nil {
		return "", fmt.Errorf("keeping the customer of account %s: %w", accountID, err)
	}
	id, _, err = store.GatewayCustomer(ctx, s.DB, accountID, s.provider())
	return id, err
}

// StartHosted opens a hosted page. A payment is an attempt from the start
// (committed before the page opens, so that what it may collect counts as
// in flight and an auto-charge never takes it a second time); a card is
// nothing until the page completes.
func (s *Service) StartHosted(ctx context.Context, req HostedRequest) (Hosted, error) {
	contact, err := s.contact(ctx, req.AccountID)
	if err != nil {
		return Hosted{}, err
	}
	key := req.IdempotencyKey
	if key == "" {
		key = NewKey("hosted_")
	}
	gwReq := gateway.CheckoutRequest{Key: key, Mode: req.Mode, AccountID: req.AccountID, PayPal: req.PayPal,
		ReturnURL: req.ReturnURL, CancelURL: req.CancelURL}
	var a store.Attempt
	switch req.Mode {
	case gateway.ModeSetup:
	case gateway.ModePayment:
		if a, err = s.hostedAttempt(ctx, req, key); err != nil || a.ID == 0 {
			return s.replayHosted(ctx, key, err)
		}
		gwReq.Amount, gwReq.Currency = a.Amount, money.Currency(a.Currency)
	default:
		return Hosted{}, invalid(fmt.Errorf("no hosted page for %q", req.Mode))
	}
	if earlier, found, err := store.CheckoutByID(ctx, s.DB, "", key); err != nil || found {
		if err == nil && earlier.Mode != req.Mode {
			err = fmt.Errorf("idempotency key %s: %w", key, gateway.ErrKeyReused)
		}
		return Hosted{CheckoutID: earlier.ID, RedirectURL: earlier.URL, Key: key}, err
	}
	if gwReq.Customer, err = s.customer(ctx, contact, req.AccountID); err != nil {
		return Hosted{}, fmt.Errorf("the payment provider's customer of account %s: %w", req.AccountID, err)
	}
	page, err := s.Gateway.StartCheckout(ctx, gwReq)
	if errors.Is(err, gateway.ErrAmountNotSupported) && a.ID != 0 {
		// The provider cannot take the amount: the attempt fails with the
		// reason, having charged nothing (§9.1).
		if _, settleErr := s.settle(ctx, a, gateway.Result{Outcome: gateway.Declined, DeclineCode: "amount_not_supported", Hard: true}, req.AsOf); settleErr != nil {
			return Hosted{}, settleErr
		}
		return Hosted{}, invalid(err)
	}
	if err != nil {
		return Hosted{}, fmt.Errorf("opening the provider's page: %w", err)
	}
	c := store.Checkout{ID: page.ID, Gateway: s.provider(), AccountID: req.AccountID, Mode: req.Mode, Key: key, URL: page.URL,
		MakeDefault: req.MakeDefault}
	if a.ID != 0 {
		c.AttemptID = &a.ID
	}
	if err := store.InsertCheckout(ctx, s.DB, c); err != nil {
		return Hosted{}, fmt.Errorf("recording the provider's page: %w", err)
	}
	return Hosted{CheckoutID: page.ID, RedirectURL: page.URL, Key: key}, nil
}

// replayHosted is the page an earlier request with the same key opened.
func (s *Service) replayHosted(ctx context.Context, key string, err error) (Hosted, error) {
	if err != nil {
		return Hosted{}, err
	}
	c, found, err := store.CheckoutByID(ctx, s.DB, "", key)
	switch {
	case err != nil:
		return Hosted{}, err
	case !found:
		return Hosted{}, fmt.Errorf("idempotency key %s was used for a payment whose page did not open; use a new key", key)
	}
	return Hosted{CheckoutID: c.ID, RedirectURL: c.URL, Key: key}, nil
}

// hostedAttempt records a hosted payment's attempt, under the account's
// payment lock. An attempt already made with the key returns ID 0 (the
// caller replays its page), or ErrKeyReused for other parameters.
func (s *Service) hostedAttempt(ctx context.Context, req HostedRequest, key string) (store.Attempt, error) {
	if err := checkPayment(req.Currency, req.Amount, req.All); err != nil {
		return store.Attempt{}, err
	}
	method, label, amountText := "card", "card on the provider's page", "all"
	if req.PayPal {
		method, label = "paypal", "PayPal on the provider's page"
	}
	if !req.All {
		amountText = req.Amount.String()
	}
	request := fmt.Sprintf("hosted account=%s currency=%s amount=%s method=%s", req.AccountID, req.Currency, amountText, method)

	unlock, err := store.LockAccountPayments(ctx, s.DB, req.AccountID)
	if err != nil {
		return store.Attempt{}, fmt.Errorf("waiting for the account's other payments: %w", err)
	}
	defer unlock()
	if earlier, found, err := store.AttemptByKey(ctx, s.DB, key); err != nil {
		return store.Attempt{}, err
	} else if found {
		if earlier.Request != request {
			return store.Attempt{}, fmt.Errorf("idempotency key %s: %w", key, gateway.ErrKeyReused)
		}
		return store.Attempt{}, nil
	}
	amount, err := s.toPay(ctx, req.AccountID, req.Currency, req.Amount, req.All)
	if err != nil {
		return store.Attempt{}, err
	}
	a := store.Attempt{Key: key, Request: request, Purpose: "payment", AccountID: req.AccountID, Currency: string(req.Currency),
		Amount: amount, Method: method, MethodLabel: label, AttemptNo: 1, AttemptedAt: req.AsOf}
	id, inserted, err := store.InsertAttempt(ctx, s.DB, a)
	switch {
	case err != nil:
		return a, fmt.Errorf("recording the payment of account %s: %w", req.AccountID, err)
	case !inserted:
		return a, fmt.Errorf("idempotency key %s is taken", key)
	}
	a.ID = id
	return a, nil
}

// CompleteCheckout records what became of a hosted page, once: called on
// the holder's return, on the provider's event, and by the settling of
// unknown outcomes. A page still open changes nothing.
func (s *Service) CompleteCheckout(ctx context.Context, id string, asOf time.Time) (HostedOutcome, error) {
	c, found, err := store.CheckoutByID(ctx, s.DB, id, "")
	switch {
	case err != nil:
		return HostedOutcome{}, err
	case !found || id == "":
		return HostedOutcome{}, invalid(fmt.Errorf("%w: %s", ErrNoCheckout, id))
	}
	unlock, err := store.LockAccountPayments(ctx, s.DB, c.AccountID)
	if err != nil {
		return HostedOutcome{}, err
	}
	defer unlock()
	return s.completeLocked(ctx, c, asOf)
}

// CheckoutAccount is the account a hosted page was opened for.
func (s *Service) CheckoutAccount(ctx context.Context, id string) (string, error) {
	c, found, err := store.CheckoutByID(ctx, s.DB, id, "")
	switch {
	case err != nil:
		return "", err
	case !found || id == "":
		return "", invalid(fmt.Errorf("%w: %s", ErrNoCheckout, id))
	}
	return c.AccountID, nil
}

// CancelCheckout closes a page the holder left, then records its end (a
// page completed meanwhile stays complete).
func (s *Service) CancelCheckout(ctx context.Context, id string, asOf time.Time) (HostedOutcome, error) {
	if _, found, err := store.CheckoutByID(ctx, s.DB, id, ""); err != nil || !found || id == "" {
		if err == nil {
			err = invalid(fmt.Errorf("%w: %s", ErrNoCheckout, id))
		}
		return HostedOutcome{}, err
	}
	if err := s.Gateway.ExpireCheckout(ctx, id); err != nil {
		return HostedOutcome{}, err
	}
	return s.CompleteCheckout(ctx, id, asOf)
}

// completeLocked is CompleteCheckout under the account's payment lock.
func (s *Service) completeLocked(ctx context.Context, c store.Checkout, asOf time.Time) (HostedOutcome, error) {
	c, _, err := store.CheckoutByID(ctx, s.DB, c.ID, "") // as it is now, under the lock
	if err != nil {
		return HostedOutcome{}, err
	}
	out := HostedOutcome{Mode: c.Mode, Status: c.Status}
	var a store.Attempt
	if c.Mode == gateway.ModePayment {
		found := false
		if a, found, err = store.AttemptByKey(ctx, s.DB, c.Key); err != nil || !found {
			return out, fmt.Errorf("the payment of hosted page %s: found %t: %v", c.ID, found, err)
		}
		out.Payment = resultOf(a, false)
	}
	settled := c.Mode == gateway.ModeSetup || (a.Status != "pending" && a.Status != "unknown")
	if c.Status != gateway.CheckoutOpen && settled {
		if c.PaymentMethodID != nil {
			out.MethodID = *c.PaymentMethodID
		}
		return out, nil // recorded before
	}
	page, err := s.Gateway.CheckoutOutcome(ctx, c.ID)
	if err != nil {
		return out, fmt.Errorf("asking the provider about hosted page %s: %w", c.ID, err)
	}
	switch {
	case page.Status == gateway.CheckoutOpen:
		return out, nil
	case c.Mode == gateway.ModeSetup:
		return s.completeSetup(ctx, c, page, asOf)
	}
	res := page.Result
	if page.Status == gateway.CheckoutExpired {
		res = gateway.Result{Outcome: gateway.Declined, DeclineCode: "checkout_expired"}
	}
	if res.Label != "" {
		a.MethodLabel = res.Label
	}
	if !settled {
		if a, err = s.settle(ctx, a, res, asOf); err != nil {
			return out, err
		}
	}
	if _, err := store.CloseCheckout(ctx, s.DB, c.ID, page.Status, nil); err != nil {
		return out, fmt.Errorf("recording the end of hosted page %s: %w", c.ID, err)
	}
	out.Status, out.Payment = page.Status, resultOf(a, false)
	return out, nil
}

// completeSetup puts the card a page saved on file, with the page's end in
// the same transaction, and validates it.
func (s *Service) completeSetup(ctx context.Context, c store.Checkout, page gateway.CheckoutOutcome, asOf time.Time) (HostedOutcome, error) {
	out := HostedOutcome{Mode: c.Mode, Status: page.Status}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if page.Status != gateway.CheckoutComplete {
			_, err := store.CloseCheckout(ctx, tx, c.ID, page.Status, nil)
			return err
		}
		t := page.Card
		id, err := store.InsertPaymentMethod(ctx, tx, store.PaymentMethod{AccountID: c.AccountID, Token: t.Token, Brand: t.Brand,
			Last4: t.Last4, ExpMonth: t.ExpMonth, ExpYear: t.ExpYear, HolderName: page.HolderName})
		if err != nil {
			return err
		}
		if c.MakeDefault {
			if err := store.SetDefaultPaymentMethod(ctx, tx, c.AccountID, id); err != nil {
				return err
			}
		}
		out.MethodID = id
		_, err = store.CloseCheckout(ctx, tx, c.ID, page.Status, &id)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("recording the card of hosted page %s: %w", c.ID, err)
	}
	if out.MethodID != 0 {
		if _, err := s.Validate(ctx, c.AccountID, asOf); err != nil {
			return out, err
		}
	}
	return out, nil
}

// hostedCheckout is the page of an attempt made on one, if any.
func hostedCheckout(ctx context.Context, q store.Queryer, a store.Attempt) (store.Checkout, bool, error) {
	if a.Purpose != "payment" || a.Method == "card_on_file" {
		return store.Checkout{}, false, nil
	}
	return store.CheckoutByID(ctx, q, "", a.Key)
}
