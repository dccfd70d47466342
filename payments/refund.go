package payments

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/payments/gateway"
	"github.com/openbilling/billing/store"
)

// Refund is a refund invoice just stored: its number, the invoice it
// reverses, and what it gives back (a positive amount).
type Refund struct {
	Number, Original, AccountID string
	Currency                    money.Currency
	Amount                      decimal.Decimal
}

// ReservePaybacks records, in the refund invoice's own transaction, what of
// the refund goes back to the cards that paid the original: up to what they
// paid of it less what earlier refunds of it paid back, from each payment
// oldest first and never past what is left of it (§9). Each is a
// pending gateway call committed with the invoice, so a process killed
// before the gateway answers leaves it for the next run to send or ask
// about. What is reserved is no other invoice's credit meanwhile. The
// account's payment lock is held until the transaction ends.
func ReservePaybacks(ctx context.Context, tx *store.Tx, r Refund, asOf time.Time) ([]store.Attempt, error) {
	if err := store.LockAccountsPaymentsInTx(ctx, tx, []string{r.AccountID}); err != nil {
		return nil, err
	}
	cards, err := store.CardPaymentsOf(ctx, tx, r.Original)
	if err != nil {
		return nil, err
	}
	paidByCard := decimal.Zero
	for _, c := range cards {
		paidByCard = paidByCard.Add(c.Paid)
	}
	back, err := store.PaidBackFor(ctx, tx, r.Original)
	if err != nil {
		return nil, err
	}
	owed := decimal.Min(r.Amount, paidByCard.Sub(back))
	var out []store.Attempt
	for _, c := range cards {
		amount := decimal.Min(owed, c.LeftToPayBack)
		if !amount.IsPositive() {
			continue
		}
		a := store.Attempt{Key: fmt.Sprintf("payback_%s_%s", r.Number, c.PaymentID), Purpose: "payback", AccountID: r.AccountID,
			Currency: string(r.Currency), Amount: amount, InvoiceNumber: r.Number, Method: "card", MethodLabel: c.MethodLabel,
			AttemptNo: 1, AttemptedAt: asOf, PaymentID: c.PaymentID}
		a.Request = fmt.Sprintf("payback refund=%s payment=%s amount=%s", r.Number, c.PaymentID, amount)
		id, inserted, err := store.InsertAttempt(ctx, tx, a)
		if err != nil {
			return nil, err
		}
		if !inserted {
			return nil, fmt.Errorf("payback %s is already recorded", a.Key)
		}
		a.ID = id
		out = append(out, a)
		owed = owed.Sub(amount)
	}
	return out, nil
}

// SendPaybacks asks the gateway to pay back reserved paybacks, records its
// answers, and then lets what is left of the refund's credit pay the
// account's open invoices.
func (s *Service) SendPaybacks(ctx context.Context, attempts []store.Attempt, asOf time.Time) ([]store.Attempt, error) {
	out := make([]store.Attempt, 0, len(attempts))
	for _, a := range attempts {
		unlock, err := store.LockAccountPayments(ctx, s.DB, a.AccountID)
		if err != nil {
			return out, err
		}
		a, err = s.sendPayback(ctx, a, asOf)
		unlock()
		if err != nil {
			return out, err
		}
		out = append(out, a)
	}
	return out, nil
}

// sendPayback sends one payback, under its account's payment lock.
func (s *Service) sendPayback(ctx context.Context, a store.Attempt, asOf time.Time) (store.Attempt, error) {
	p, found, err := store.PaymentByID(ctx, s.DB, a.PaymentID)
	switch {
	case err != nil:
		return a, err
	case !found:
		return a, fmt.Errorf("payback %s: no payment %s", a.Key, a.PaymentID)
	}
	res, err := s.Gateway.Refund(ctx, gateway.Refund{Key: a.Key, Reference: p.GatewayReference, Amount: a.Amount, Currency: money.Currency(a.Currency)})
	if err != nil {
		return a, fmt.Errorf("paying back %s %s to the %s: %w", money.Format(a.Amount, money.Currency(a.Currency)), a.Currency, a.MethodLabel, err)
	}
	return s.settle(ctx, a, res, asOf)
}
