package payments

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/sync/errgroup"

	"github.com/openbilling/billing/payments/gateway"
	"github.com/openbilling/billing/pipeline/money"
	"github.com/openbilling/billing/store"
)

// CollectReport counts what a collect stage did.
type CollectReport struct {
	Settled      int `json:"settled"`       // earlier charges whose outcome was learned
	Charged      int `json:"charged"`       // charges made
	Succeeded    int `json:"succeeded"`     // of which succeeded
	Declined     int `json:"declined"`      // soft declines, to be retried
	HardDeclined int `json:"hard_declined"` // not retried; the contact is e-mailed
	Unknown      int `json:"unknown"`       // no answer yet; asked again by the next run
}

// Collect is the collect stage (SPEC §9 "Auto-charge"): it first settles
// the charges whose outcome is unknown, then charges each invoice with an
// amount due on an account with a valid default card: once after it is
// finalized, and again after a soft decline on the retry schedule (counted
// from the first attempt), never after a hard decline, and never once the
// invoice is paid by any means. asOf is the run's time: retries fall due by it.
// Running it twice changes nothing the first run did.
func (s *Service) Collect(ctx context.Context, asOf time.Time) (CollectReport, error) {
	var r CollectReport
	var err error
	if r.Settled, err = s.SettleUnknown(ctx, "", asOf); err != nil {
		return r, err
	}
	candidates, err := store.CollectCandidates(ctx, s.DB)
	if err != nil {
		return r, fmt.Errorf("reading invoices to collect: %w", err)
	}
	schedule := s.retrySchedule()
	// Accounts are charged side by side, each account's invoices in order:
	// an account's payments take turns on its own lock, and a charge spends
	// most of its time waiting on the gateway and on commits.
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(collectWorkers)
	for start := 0; start < len(candidates); {
		end := start
		for end < len(candidates) && candidates[end].AccountID == candidates[start].AccountID {
			end++
		}
		account := candidates[start:end]
		start = end
		g.Go(func() error {
			for _, c := range account {
				if err := gctx.Err(); err != nil {
					return err
				}
				switch {
				case c.Hard, c.LastStatus == "pending", c.LastStatus == "unknown":
					continue
				case c.Attempts > len(schedule):
					continue // every retry was made
				case c.LastStatus == "declined" && asOf.Before(c.FirstAttempt.Add(schedule[c.Attempts-1])):
					continue // the next retry is not due yet
				}
				a, made, err := s.autoCharge(gctx, c, asOf)
				if err != nil {
					return err
				}
				if made {
					mu.Lock()
					r.count(a)
					mu.Unlock()
				}
			}
			return nil
		})
	}
	err = g.Wait()
	return r, err
}

// collectWorkers is how many accounts the collect stage charges at once.
const collectWorkers = 8

// count adds a charge's outcome to the report.
func (r *CollectReport) count(a store.Attempt) {
	r.Charged++
	switch {
	case a.Status == string(gateway.Succeeded):
		r.Succeeded++
	case a.Status == string(gateway.Declined) && a.Hard:
		r.HardDeclined++
	case a.Status == string(gateway.Declined):
		r.Declined++
	default:
		r.Unknown++
	}
}

// autoCharge charges one invoice for what is due of it, under its
// account's payment lock, re-reading what is due once the lock is held.
func (s *Service) autoCharge(ctx context.Context, c store.CollectCandidate, asOf time.Time) (store.Attempt, bool, error) {
	unlock, err := store.LockAccountPayments(ctx, s.DB, c.AccountID)
	if err != nil {
		return store.Attempt{}, false, err
	}
	defer unlock()
	open, err := store.OpenInvoices(ctx, s.DB, c.AccountID, c.Currency)
	if err != nil {
		return store.Attempt{}, false, err
	}
	due := decimal.Zero
	for _, inv := range open {
		if inv.Number == c.Number {
			due = inv.Due()
		}
	}
	account, err := amountDue(ctx, s.DB, c.AccountID, money.Currency(c.Currency))
	if err != nil {
		return store.Attempt{}, false, err
	}
	amount := decimal.Min(due, account)
	if !amount.IsPositive() {
		return store.Attempt{}, false, nil // paid meanwhile, or covered by a charge in flight
	}
	no := c.Attempts + 1
	key := fmt.Sprintf("auto_%s_%d", c.Number, no)
	label := fmt.Sprintf("%s ending %s", c.Brand, c.Last4)
	method := c.PaymentMethodID
	a := store.Attempt{Key: key, Request: fmt.Sprintf("auto_charge invoice=%s attempt=%d amount=%s card=%d", c.Number, no, amount, method),
		Purpose: "auto_charge", AccountID: c.AccountID, Currency: c.Currency, Amount: amount, InvoiceNumber: c.Number,
		PaymentMethodID: &method, Method: "card_on_file", MethodLabel: label, AttemptNo: no, AttemptedAt: asOf}
	if _, found, err := store.AttemptByKey(ctx, s.DB, key); err != nil || found {
		return a, false, err // another process made this attempt meanwhile
	}
	a, err = s.charge(ctx, a, gateway.Charge{Key: key, Token: c.Token, Amount: amount, Currency: money.Currency(c.Currency)}, asOf)
	return a, true, err
}
