// Package payments is the money side of billing (§9): cards on file,
// one-time payments, the collect stage's auto-charges, and the allocation
// of payments and credits to invoices. The command line, the pipeline's
// collect stage and the portal call it; the rules are the ledger
// package's, the money moves through a gateway.Gateway, and every record
// goes through the store.
package payments

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/ledger"
	"github.com/openbilling/billing/locale"
	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/payments/gateway"
	"github.com/openbilling/billing/store"
)

// DefaultRetrySchedule is when a soft-declined auto-charge is tried again,
// counted from the first attempt (§9).
var DefaultRetrySchedule = []time.Duration{3 * 24 * time.Hour, 5 * 24 * time.Hour, 7 * 24 * time.Hour}

// Service records payments and moves money through its gateway.
type Service struct {
	DB            *store.DB
	Gateway       gateway.Gateway
	RetrySchedule []time.Duration // DefaultRetrySchedule when nil
	// Mail queues each e-mail the service writes to the outbox as a job,
	// in the same transaction; optional: without it e-mail waits in the
	// outbox for the daemon's mail job or billing outbox send.
	Mail Enqueuer
	// Events queues the processing of the provider's events (§9.1); nil
	// processes each as it is received.
	Events EventQueue
	// Concurrency is how many gateway calls a collect batch has in flight
	// (16 when 0).
	Concurrency int
	// Operators are the operators' addresses, told of disputes.
	Operators []string
	// PortalURL is where holders reach the portal, for the links e-mails give.
	PortalURL string
	// Provider names the gateway ("sandbox" when empty, or "stripe"), for
	// the records of its customers and hosted pages (§9.1).
	Provider string
}

// directDetails refuses card details or a PayPal address given to the
// product itself unless the gateway is the sandbox (§9.1: elsewhere they
// go to the provider's hosted page only).
func (s *Service) directDetails() error {
	if s.provider() != "sandbox" {
		return invalid(gateway.ErrHostedOnly)
	}
	return nil
}

// Enqueuer queues the sending of e-mails just written to the outbox, in
// the transaction that wrote them.
type Enqueuer interface {
	SendTx(ctx context.Context, tx *store.Tx, messageIDs []string) error
}

// outbox writes e-mails to accounts' contacts and queues their sending, in tx.
func (s *Service) outbox(ctx context.Context, tx *store.Tx, messages ...Letter) error {
	_, err := s.write(ctx, tx, messages)
	return err
}

// write is outbox, returning the ids of the e-mails written: those of
// accounts with a contact address, not written before, each in its
// account's language.
func (s *Service) write(ctx context.Context, tx *store.Tx, letters []Letter) ([]string, error) {
	if len(letters) == 0 {
		return nil, nil
	}
	messages, err := inTheirLanguages(ctx, tx, letters)
	if err != nil {
		return nil, err
	}
	written, err := store.InsertMessagesForAccounts(ctx, tx, messages)
	if err != nil || len(written) == 0 || s.Mail == nil {
		return written, err
	}
	return written, s.Mail.SendTx(ctx, tx, written)
}

// NotifyOperators writes an e-mail to each operator address in tx and
// queues its sending; id makes it once per cause.
func (s *Service) NotifyOperators(ctx context.Context, tx *store.Tx, to []string, id, subject, body string) error {
	messages := make([]store.Message, 0, len(to))
	for _, addr := range to {
		messages = append(messages, store.Message{ID: "<" + id + "-" + addr + "@billing>", To: addr, Subject: subject, Body: body})
	}
	written, err := store.InsertMessagesTo(ctx, tx, messages)
	if err != nil || len(written) == 0 || s.Mail == nil {
		return err
	}
	return s.Mail.SendTx(ctx, tx, written)
}

// Method is a card or PayPal account on file.
type Method = store.PaymentMethod

// Record is a payment as an account's history lists it.
type Record = store.PaymentRecord

// Attempt is one request to the gateway: a charge, a refund or a payback.
type Attempt = store.Attempt

// History lists an account's payments, newest first.
func (s *Service) History(ctx context.Context, accountID string) ([]Record, error) {
	return store.Payments(ctx, s.DB, accountID)
}

// AttemptByKey returns the attempt made with an idempotency key.
func (s *Service) AttemptByKey(ctx context.Context, key string) (Attempt, bool, error) {
	return store.AttemptByKey(ctx, s.DB, key)
}

// ErrNothingDue is a payment of the whole balance when nothing is owed.
var ErrNothingDue = errors.New("nothing is due")

// ErrInvalidRequest marks a payment refused for what it asks (an unknown
// account, currency or card on file, an amount finer than the currency's
// minor unit, a card that does not check), before any gateway call: the
// caller's to correct. Any other error before the gateway is the system's.
var ErrInvalidRequest = errors.New("invalid payment request")

// invalidRequest is an error of the request: its message is err's, and it
// is both err and ErrInvalidRequest.
type invalidRequest struct{ err error }

func (e invalidRequest) Error() string   { return e.err.Error() }
func (e invalidRequest) Unwrap() []error { return []error{e.err, ErrInvalidRequest} }

func invalid(err error) error { return invalidRequest{err} }

func (s *Service) retrySchedule() []time.Duration {
	if s.RetrySchedule != nil {
		return s.RetrySchedule
	}
	return DefaultRetrySchedule
}

func (s *Service) contact(ctx context.Context, accountID string) (store.Contact, error) {
	c, found, err := store.AccountContact(ctx, s.DB, accountID)
	switch {
	case err != nil:
		return c, fmt.Errorf("reading account %s: %w", accountID, err)
	case !found:
		return c, invalid(fmt.Errorf("%w: %s", store.ErrNoAccount, accountID))
	}
	return c, nil
}

// ApplyCredits allocates what the accounts' payments and credits still hold
// to their open invoices, oldest first, in the caller's transaction
// (§9): the close calls it as it finalizes invoices, a payment as it is
// recorded. The accounts' payment locks are held until the transaction ends.
func ApplyCredits(ctx context.Context, tx *store.Tx, accountIDs []string) error {
	credits, err := store.Credits(ctx, tx, accountIDs)
	if err != nil || len(credits) == 0 {
		return err
	}
	var holders []string
	for i, c := range credits {
		if i == 0 || c.AccountID != credits[i-1].AccountID {
			holders = append(holders, c.AccountID)
		}
	}
	if err := store.LockAccountsPaymentsInTx(ctx, tx, holders); err != nil {
		return err
	}
	return allocateCredits(ctx, tx, holders)
}

// allocateCredits is ApplyCredits for accounts whose payment locks the
// caller holds: every account's sources pay its open invoices in their
// currency, oldest first, in one statement for all.
func allocateCredits(ctx context.Context, tx *store.Tx, accountIDs []string) error {
	credits, err := store.Credits(ctx, tx, accountIDs)
	if err != nil || len(credits) == 0 {
		return err
	}
	type pair struct{ account, currency string }
	sources := map[pair][]ledger.Source{}
	var holders []string
	for _, c := range credits {
		k := pair{c.AccountID, c.Currency}
		if len(holders) == 0 || holders[len(holders)-1] != c.AccountID {
			holders = append(holders, c.AccountID)
		}
		sources[k] = append(sources[k], c.Source)
	}
	open, err := store.OpenInvoicesOf(ctx, tx, holders)
	if err != nil {
		return err
	}
	invoices := map[pair][]ledger.Invoice{}
	for _, o := range open {
		k := pair{o.AccountID, o.Currency}
		invoices[k] = append(invoices[k], o.Invoice)
	}
	var out []store.AccountAllocation
	for k, src := range sources {
		for _, a := range ledger.Allocate(invoices[k], src) {
			out = append(out, store.AccountAllocation{AccountID: k.account, Currency: k.currency, Allocation: a})
		}
	}
	if err := store.InsertAllocations(ctx, tx, out); err != nil {
		return fmt.Errorf("allocating payments and credits of %d accounts: %w", len(holders), err)
	}
	return nil
}

// NewKey is a fresh idempotency key; the portal puts one in each pay form.
func NewKey(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// charge makes one gateway charge under the account's payment lock, which
// the caller holds: the attempt is committed before the gateway is called,
// so a process killed while waiting leaves an attempt the next run settles
// by asking the gateway, never by charging again (§9 "Never twice").
func (s *Service) charge(ctx context.Context, a store.Attempt, req gateway.Charge, asOf time.Time) (store.Attempt, error) {
	id, inserted, err := store.InsertAttempt(ctx, s.DB, a)
	if err != nil {
		return a, fmt.Errorf("recording the charge of account %s: %w", a.AccountID, err)
	}
	if !inserted {
		return a, fmt.Errorf("idempotency key %s is taken", a.Key)
	}
	a.ID = id
	res, err := s.Gateway.Charge(ctx, req)
	if err != nil {
		// Nothing is known of the charge: it stays pending, and is asked
		// about before the account is charged again.
		return a, fmt.Errorf("charging account %s: %w", a.AccountID, err)
	}
	return s.settle(ctx, a, res, asOf)
}

// settle records a gateway's answer: a succeeded charge becomes a payment,
// allocated to the account's open invoices oldest first; a decline is kept
// with its code; an unknown outcome waits for the next question.
func (s *Service) settle(ctx context.Context, a store.Attempt, res gateway.Result, asOf time.Time) (store.Attempt, error) {
	a.Status, a.DeclineCode, a.Hard, a.GatewayReference = string(res.Outcome), res.DeclineCode, res.Hard, res.Reference
	if res.Outcome == gateway.Unknown {
		a.Status = "unknown"
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if a.Purpose == "payback" {
			if res.Outcome == gateway.Succeeded {
				if err := store.InsertPayback(ctx, tx, a.AccountID, a.Currency, a.Amount, a.InvoiceNumber, a.PaymentID); err != nil {
					return err
				}
			}
			if res.Outcome != gateway.Unknown {
				// What was not paid back stays a credit of the account.
				if err := store.SettleAttempt(ctx, tx, a); err != nil {
					return err
				}
				return allocateCredits(ctx, tx, []string{a.AccountID})
			}
			return store.SettleAttempt(ctx, tx, a)
		}
		if res.Outcome == gateway.Succeeded {
			a.PaymentID = fmt.Sprintf("PAY-%d", a.ID)
			if err := store.InsertPayments(ctx, tx, []store.Payment{{PaymentID: a.PaymentID, AccountID: a.AccountID, Currency: a.Currency,
				Amount: a.Amount, Method: a.Method, MethodLabel: a.MethodLabel, GatewayReference: res.Reference}}, asOf); err != nil {
				return err
			}
			if err := allocateCredits(ctx, tx, []string{a.AccountID}); err != nil {
				return err
			}
			if err := s.outbox(ctx, tx, receipt(a)); err != nil {
				return err
			}
		}
		if res.Outcome == gateway.Declined && res.Hard && a.Purpose == "auto_charge" {
			if err := s.outbox(ctx, tx, s.chargeFailed(a)); err != nil {
				return err
			}
		}
		return store.SettleAttempt(ctx, tx, a)
	})
	if err != nil {
		return a, fmt.Errorf("recording the outcome of charge %s (the gateway answered %s; the next run records it again): %w", a.Key, res.Outcome, err)
	}
	return a, nil
}

// receipt is the e-mail of a payment received.
func receipt(a store.Attempt) Letter {
	return letter(a.AccountID, "payment-"+a.PaymentID, "mail.receipt.subject", "mail.receipt.body",
		"Amount", locale.Money{Amount: a.Amount, Currency: money.Currency(a.Currency)}, "Method", a.MethodLabel, "Payment", a.PaymentID)
}

// chargeFailed is the e-mail of an auto-charge declined for good. A bank
// that wants the holder present (authentication_required, §9.1) gets a
// link to pay in the portal instead.
func (s *Service) chargeFailed(a store.Attempt) Letter {
	amount := locale.Money{Amount: a.Amount, Currency: money.Currency(a.Currency)}
	if a.DeclineCode == "authentication_required" {
		return letter(a.AccountID, fmt.Sprintf("charge-failed-%d", a.ID), "mail.confirm_payment.subject", "mail.confirm_payment.body",
			"Invoice", a.InvoiceNumber, "Amount", amount, "Method", a.MethodLabel,
			"Link", strings.TrimSuffix(s.PortalURL, "/")+"/accounts/"+url.PathEscape(a.AccountID)+"/pay")
	}
	return letter(a.AccountID, fmt.Sprintf("charge-failed-%d", a.ID), "mail.charge_failed.subject", "mail.charge_failed.body",
		"Invoice", a.InvoiceNumber, "Amount", amount, "Method", a.MethodLabel, "Decline", a.DeclineCode)
}

// SettleUnknown asks the gateway about every charge of an account (or all,
// accountID empty) whose outcome is not known, and records the answers.
func (s *Service) SettleUnknown(ctx context.Context, accountID string, asOf time.Time) (settled int, err error) {
	attempts, err := store.UnsettledAttempts(ctx, s.DB, accountID)
	if err != nil {
		return 0, fmt.Errorf("reading unsettled charges: %w", err)
	}
	for _, a := range attempts {
		unlock, err := store.LockAccountPayments(ctx, s.DB, a.AccountID)
		if err != nil {
			return settled, err
		}
		ok, err := s.settleOne(ctx, a, asOf)
		unlock()
		if err != nil {
			return settled, err
		}
		if ok {
			settled++
		}
	}
	return settled, nil
}

// settleOne asks about one unsettled attempt, under its account's lock.
func (s *Service) settleOne(ctx context.Context, a store.Attempt, asOf time.Time) (bool, error) {
	now, found, err := store.AttemptByKey(ctx, s.DB, a.Key)
	if err != nil || !found || (now.Status != "pending" && now.Status != "unknown") {
		return false, err // settled by another process meanwhile
	}
	if page, found, err := hostedCheckout(ctx, s.DB, now); err != nil || found {
		if err != nil {
			return false, err
		}
		out, err := s.completeLocked(ctx, page, asOf)
		return err == nil && out.Status != "open", err
	}
	res, err := s.Gateway.Lookup(ctx, a.Key)
	if errors.Is(err, gateway.ErrNotFound) && a.Purpose == "payback" {
		// A payback the gateway never received is sent now: its key makes
		// sending it twice impossible.
		_, err := s.sendPayback(ctx, now, asOf)
		return err == nil, err
	}
	if errors.Is(err, gateway.ErrNotFound) && now.Purpose == "auto_charge" && now.PaymentMethodID != nil {
		// The charge never reached the gateway: it is sent now, with its
		// key, so that it cannot be taken twice.
		token, found, tokErr := store.PaymentMethodToken(ctx, s.DB, *now.PaymentMethodID)
		if tokErr != nil {
			return false, tokErr
		}
		if found {
			customer, _, cusErr := store.GatewayCustomer(ctx, s.DB, now.AccountID, s.provider())
			if cusErr != nil {
				return false, cusErr
			}
			res, err = s.Gateway.Charge(ctx, gateway.Charge{Key: now.Key, Customer: customer, Token: token, Amount: now.Amount, Currency: money.Currency(now.Currency)})
		}
	}
	if errors.Is(err, gateway.ErrNotFound) {
		// A one-time payment that never reached the gateway (its card was
		// for that payment only): it took nothing, so it is closed as not made.
		res, err = gateway.Result{Outcome: gateway.Declined, DeclineCode: "not_sent"}, nil
	}
	if err != nil {
		return false, fmt.Errorf("asking the gateway about charge %s: %w", a.Key, err)
	}
	if res.Outcome == gateway.Unknown {
		return false, nil
	}
	_, err = s.settle(ctx, now, res, asOf)
	return err == nil, err
}

// amountDue is what an account owes in a currency now, less what charges
// whose outcome is unknown may still collect.
func amountDue(ctx context.Context, q store.Queryer, accountID string, c money.Currency) (decimal.Decimal, error) {
	balances, err := store.AccountBalances(ctx, q, accountID)
	if err != nil {
		return decimal.Zero, err
	}
	due := decimal.Zero
	for _, b := range balances {
		if b.Currency == string(c) {
			due = b.Invoiced.Sub(b.Paid).Add(b.PaidBack).Add(b.Disputed)
		}
	}
	inFlight, err := store.InFlight(ctx, q, accountID, string(c))
	if err != nil {
		return decimal.Zero, err
	}
	return due.Sub(inFlight), nil
}
