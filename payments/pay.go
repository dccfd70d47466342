package payments

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/ledger"
	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/payments/gateway"
	"github.com/openbilling/billing/store"
)

// PayRequest is a one-time payment (§9): of the whole balance in one
// currency (All) or of an amount, by a card given for this payment only or
// by PayPal, or by a card on file (the portal's choice).
type PayRequest struct {
	AccountID      string
	Currency       money.Currency
	Amount         decimal.Decimal // when not All
	All            bool
	Card           *gateway.Card // or
	PayPal         string        // the payer's PayPal e-mail, or
	MethodID       int64         // a card on file of the account
	IdempotencyKey string        // the client's; a fresh one when empty
	AsOf           time.Time
}

// Result is what became of a payment.
type Result struct {
	Key         string          `json:"idempotency_key"`
	Status      string          `json:"status"` // succeeded, declined, pending, unknown
	AccountID   string          `json:"account_id"`
	Currency    string          `json:"currency"`
	Amount      decimal.Decimal `json:"amount"`
	PaymentID   string          `json:"payment_id,omitempty"`
	DeclineCode string          `json:"decline_code,omitempty"`
	Method      string          `json:"method"`
	Replayed    bool            `json:"replayed"` // the key was used before: this is the first request's result
}

func resultOf(a store.Attempt, replayed bool) Result {
	return Result{Key: a.Key, Status: a.Status, AccountID: a.AccountID, Currency: a.Currency, Amount: a.Amount,
		PaymentID: a.PaymentID, DeclineCode: a.DeclineCode, Method: a.MethodLabel, Replayed: replayed}
}

// Pay makes a one-time payment. The same idempotency key replays the first
// request's result; the same key with other parameters is refused with
// gateway.ErrKeyReused. A payment above the balance leaves a credit.
func (s *Service) Pay(ctx context.Context, req PayRequest) (Result, error) {
	if _, err := s.contact(ctx, req.AccountID); err != nil {
		return Result{}, err
	}
	if err := checkPayment(req.Currency, req.Amount, req.All); err != nil {
		return Result{}, err
	}
	method, label, amountText := "paypal", "PayPal "+req.PayPal, "all"
	var onFile store.PaymentMethod
	switch ways := btoi(req.Card != nil) + btoi(req.PayPal != "") + btoi(req.MethodID != 0); {
	case ways != 1:
		return Result{}, invalid(errors.New("pay by a card, by PayPal or by a card on file, one of the three"))
	case req.MethodID != 0:
		m, err := s.method(ctx, req.AccountID, req.MethodID)
		if err != nil {
			return Result{}, err
		}
		if m.Status == "invalid" {
			return Result{}, invalid(fmt.Errorf("the %s ending %s cannot be charged%s", m.Brand, m.Last4, Because(m.StatusReason)))
		}
		onFile = m
		method, label = "card_on_file", fmt.Sprintf("%s ending %s", m.Brand, m.Last4)
	case req.Card != nil || req.PayPal != "":
		if err := s.directDetails(); err != nil {
			return Result{}, err
		}
		if req.Card == nil {
			break
		}
		if err := req.Card.Check(); err != nil {
			return Result{}, invalid(err)
		}
		method, label = "card", fmt.Sprintf("%s ending %s", gateway.Brand(req.Card.Digits()), req.Card.Last4())
	}
	if !req.All {
		amountText = req.Amount.String()
	}
	key := req.IdempotencyKey
	if key == "" {
		key = NewKey("pay_")
	}
	request := fmt.Sprintf("pay account=%s currency=%s amount=%s method=%s label=%s", req.AccountID, req.Currency, amountText, method, label)
	if req.MethodID != 0 {
		request += fmt.Sprintf(" on_file=%d", req.MethodID)
	}

	unlock, err := store.LockAccountPayments(ctx, s.DB, req.AccountID)
	if err != nil {
		return Result{}, fmt.Errorf("waiting for the account's other payments: %w", err)
	}
	defer unlock()
	if earlier, found, err := store.AttemptByKey(ctx, s.DB, key); err != nil {
		return Result{}, err
	} else if found {
		if earlier.Request != request {
			return Result{}, fmt.Errorf("idempotency key %s: %w", key, gateway.ErrKeyReused)
		}
		if earlier.Status == "pending" || earlier.Status == "unknown" {
			if _, err := s.settleOne(ctx, earlier, req.AsOf); err != nil {
				return Result{}, err
			}
			earlier, _, err = store.AttemptByKey(ctx, s.DB, key)
			if err != nil {
				return Result{}, err
			}
		}
		return resultOf(earlier, true), nil
	}

	amount, err := s.toPay(ctx, req.AccountID, req.Currency, req.Amount, req.All)
	if err != nil {
		return Result{}, err
	}
	charge := gateway.Charge{Key: key, PayPal: req.PayPal, Token: onFile.Token, Amount: amount, Currency: req.Currency}
	if req.MethodID != 0 {
		if charge.Customer, _, err = store.GatewayCustomer(ctx, s.DB, req.AccountID, s.provider()); err != nil {
			return Result{}, err
		}
	}
	if req.Card != nil {
		tok, err := s.Gateway.Tokenize(ctx, *req.Card)
		if err != nil {
			return Result{}, err
		}
		charge.Token = tok.Token
	}
	a := store.Attempt{Key: key, Request: request, Purpose: "payment", AccountID: req.AccountID, Currency: string(req.Currency),
		Amount: amount, Method: method, MethodLabel: label, AttemptNo: 1, AttemptedAt: req.AsOf}
	if req.MethodID != 0 {
		a.PaymentMethodID = &req.MethodID
	}
	a, err = s.charge(ctx, a, charge, req.AsOf)
	if err != nil {
		return resultOf(a, false), err
	}
	return resultOf(a, false), nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkPayment refuses a currency that is not one, or an amount that is
// not a positive whole number of its minor units (§9), before any gateway call.
func checkPayment(c money.Currency, amount decimal.Decimal, all bool) error {
	if _, err := money.ParseCurrency(string(c)); err != nil {
		return invalid(fmt.Errorf("currency %q: %w", c, err))
	}
	if !all {
		if err := ledger.CheckAmount(amount, c); err != nil {
			return invalid(err)
		}
	}
	return nil
}

// toPay is what a payment takes: its amount, or with all the account's
// amount due in the currency now (ErrNothingDue when none is). The caller
// holds the account's payment lock.
func (s *Service) toPay(ctx context.Context, accountID string, c money.Currency, amount decimal.Decimal, all bool) (decimal.Decimal, error) {
	if !all {
		return amount, nil
	}
	due, err := amountDue(ctx, s.DB, accountID, c)
	if err != nil {
		return due, fmt.Errorf("reading the balance of account %s: %w", accountID, err)
	}
	if !due.IsPositive() {
		return due, fmt.Errorf("%w in %s on account %s", ErrNothingDue, c, accountID)
	}
	return due, nil
}
