package payments

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/locale"
	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/payments/gateway"
	"github.com/openbilling/billing/store"
)

// Disputes (§9, §9.1): a dispute opened on a payment takes the disputed
// amount back (a dispute entry); what the payment had not allocated goes
// first, then the invoices it paid reopen, newest allocation first
// (allocations reversed), and their collection starts again. A dispute won
// returns the money (a dispute_reversal entry), allocated again oldest
// first; a dispute lost changes nothing more. Each movement is made once:
// the ledger keeps one entry of each kind per dispute.

// Dispute is a dispute of a payment.
type Dispute = store.Dispute

// ErrUnknownPayment is a dispute of a payment the product has not recorded
// (yet: its event is tried again).
var ErrUnknownPayment = errors.New("no payment with this provider reference")

// Disputes lists the disputes of an account's payments, or of all.
func (s *Service) Disputes(ctx context.Context, accountID string) ([]Dispute, error) {
	return store.Disputes(ctx, s.DB, accountID)
}

// RecordDispute brings the product's record of a dispute to the state the
// provider tells, moving the money of each step not made before; an event
// telling an older state than the one recorded changes nothing. It says
// what it did.
func (s *Service) RecordDispute(ctx context.Context, d gateway.Dispute) (string, error) {
	p, found, err := store.PaymentByReference(ctx, s.DB, d.Reference)
	switch {
	case err != nil:
		return "", err
	case !found:
		return "", fmt.Errorf("dispute %s: %w %s", d.ID, ErrUnknownPayment, d.Reference)
	case p.Currency != string(d.Currency):
		return "", fmt.Errorf("dispute %s is in %s, its payment %s in %s", d.ID, d.Currency, p.PaymentID, p.Currency)
	}
	unlock, err := store.LockAccountPayments(ctx, s.DB, p.AccountID)
	if err != nil {
		return "", err
	}
	defer unlock()
	var did []string
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		did = nil
		_, status, err := store.UpsertDispute(ctx, tx, store.Dispute{ID: d.ID, PaymentID: p.PaymentID, AccountID: p.AccountID,
			Currency: p.Currency, Amount: d.Amount, Reason: d.Reason, Status: d.Status})
		if err != nil {
			return err
		}
		taken, returned, err := store.DisputeMoved(ctx, tx, d.ID)
		if err != nil {
			return err
		}
		if !taken {
			if err := s.takeBack(ctx, tx, p, d); err != nil {
				return err
			}
			did = append(did, "taken back")
		}
		if status == gateway.DisputeWon && !returned {
			if err := store.InsertDisputeEntries(ctx, tx, []store.DisputeEntry{{AccountID: p.AccountID, Currency: p.Currency,
				Kind: "dispute_reversal", Amount: d.Amount, PaymentID: p.PaymentID, DisputeID: d.ID}}); err != nil {
				return err
			}
			if err := allocateCredits(ctx, tx, []string{p.AccountID}); err != nil {
				return err
			}
			did = append(did, "returned")
		}
		if len(did) == 0 && status == d.Status {
			return nil
		}
		return s.disputeMail(ctx, tx, p, d, status)
	})
	if err != nil {
		return "", fmt.Errorf("recording dispute %s of payment %s: %w", d.ID, p.PaymentID, err)
	}
	if len(did) == 0 {
		return "dispute " + d.ID + " unchanged", nil
	}
	return fmt.Sprintf("dispute %s of payment %s: %v", d.ID, p.PaymentID, did), nil
}

// takeBack writes a dispute's entry, first reversing, newest first, the
// allocations its amount needs beyond what the payment had not allocated.
func (s *Service) takeBack(ctx context.Context, tx *store.Tx, p store.Payment, d gateway.Dispute) error {
	used, err := store.PaymentUsed(ctx, tx, p.PaymentID)
	if err != nil {
		return err
	}
	paid, err := store.PaymentAllocations(ctx, tx, p.PaymentID)
	if err != nil {
		return err
	}
	allocated := decimal.Zero
	for _, inv := range paid {
		allocated = allocated.Add(inv.Allocated)
	}
	// What other disputes hold of the payment is used - allocated.
	if !d.Amount.IsPositive() || d.Amount.GreaterThan(p.Amount.Sub(used.Sub(allocated))) {
		return fmt.Errorf("dispute %s of %s %s exceeds what is left of payment %s", d.ID, d.Amount, d.Currency, p.PaymentID)
	}
	need := d.Amount.Sub(p.Amount.Sub(used)) // beyond the unallocated part
	var entries []store.DisputeEntry
	for _, inv := range paid {
		if !need.IsPositive() {
			break
		}
		back := decimal.Min(need, inv.Allocated)
		entries = append(entries, store.DisputeEntry{AccountID: p.AccountID, Currency: p.Currency, Kind: "allocation",
			Amount: back.Neg(), InvoiceNumber: inv.Number, PaymentID: p.PaymentID, Reverses: inv.Newest, DisputeID: d.ID})
		need = need.Sub(back)
	}
	entries = append(entries, store.DisputeEntry{AccountID: p.AccountID, Currency: p.Currency, Kind: "dispute", Amount: d.Amount,
		PaymentID: p.PaymentID, DisputeID: d.ID})
	return store.InsertDisputeEntries(ctx, tx, entries)
}

// disputeMail tells the account's contact and the operators of a dispute's
// new state.
func (s *Service) disputeMail(ctx context.Context, tx *store.Tx, p store.Payment, d gateway.Dispute, status string) error {
	kind := "opened"
	switch status {
	case gateway.DisputeWon:
		kind = "won"
	case gateway.DisputeLost:
		kind = "lost"
	}
	l := letter(p.AccountID, "dispute-"+d.ID+"-"+status, "mail.dispute_"+kind+".subject", "mail.dispute_"+kind+".body",
		"Dispute", d.ID, "Reason", fmt.Sprintf("%q", d.Reason), "Amount", locale.Money{Amount: d.Amount, Currency: money.Currency(p.Currency)}, "Payment", p.PaymentID)
	if err := s.outbox(ctx, tx, l); err != nil {
		return err
	}
	en := l.in(locale.For(locale.English)) // the operators read English
	return s.NotifyOperators(ctx, tx, s.Operators, "dispute-"+d.ID+"-"+status, "[billing] "+en.Subject+" (account "+p.AccountID+")", en.Body)
}

// UpdateCard records a card's new details from the networks (§9.1); the
// card stays on file and is validated again.
func (s *Service) UpdateCard(ctx context.Context, u gateway.CardUpdate, asOf time.Time) (string, error) {
	account, found, err := store.UpdateCardDetails(ctx, s.DB, u.Token, u.Brand, u.Last4, u.ExpMonth, u.ExpYear)
	switch {
	case err != nil:
		return "", fmt.Errorf("updating the card of %s: %w", u.Token, err)
	case !found:
		return "no card on file for " + u.Token, nil
	}
	if _, err := s.Validate(ctx, account, asOf); err != nil {
		return "", err
	}
	return fmt.Sprintf("card %s of account %s updated to ending %s, %02d/%d", u.Token, account, u.Last4, u.ExpMonth, u.ExpYear), nil
}

// HandleEvent acts on a provider's event (§9.1) and says what it did.
// Every part is idempotent: an event processed twice, or after a later
// one, changes nothing twice.
func (s *Service) HandleEvent(ctx context.Context, e gateway.Event, asOf time.Time) (string, error) {
	switch {
	case e.Checkout != "":
		out, err := s.CompleteCheckout(ctx, e.Checkout, asOf)
		if errors.Is(err, ErrNoCheckout) {
			return "not a page of this billing", nil
		}
		if err != nil {
			return "", err
		}
		return "hosted page " + e.Checkout + " " + out.Status, nil
	case e.Charge != nil:
		return s.settleFromEvent(ctx, *e.Charge, asOf)
	case e.Dispute != nil:
		return s.RecordDispute(ctx, *e.Dispute)
	case e.Card != nil:
		return s.UpdateCard(ctx, *e.Card, asOf)
	}
	return "nothing to do for " + e.Type, nil
}

// settleFromEvent records an outcome an event tells of a charge or payback
// still pending or unknown; one settled before is left as it is.
func (s *Service) settleFromEvent(ctx context.Context, st gateway.Settled, asOf time.Time) (string, error) {
	a, found, err := store.AttemptByKey(ctx, s.DB, st.Key)
	switch {
	case err != nil:
		return "", err
	case !found:
		return "no request with key " + st.Key, nil
	}
	unlock, err := store.LockAccountPayments(ctx, s.DB, a.AccountID)
	if err != nil {
		return "", err
	}
	defer unlock()
	if a, _, err = store.AttemptByKey(ctx, s.DB, st.Key); err != nil {
		return "", err
	}
	if a.Status != "pending" && a.Status != "unknown" {
		return "request " + st.Key + " already " + a.Status, nil
	}
	if page, found, err := hostedCheckout(ctx, s.DB, a); err != nil || found {
		if err != nil {
			return "", err
		}
		out, err := s.completeLocked(ctx, page, asOf)
		return "hosted page " + page.ID + " " + out.Status, err
	}
	if st.Result.Outcome == gateway.Unknown {
		return "request " + st.Key + " still pending", nil
	}
	if _, err := s.settle(ctx, a, st.Result, asOf); err != nil {
		return "", err
	}
	return "request " + st.Key + " " + string(st.Result.Outcome), nil
}
