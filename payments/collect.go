package payments

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/sync/errgroup"

	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/payments/gateway"
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

// Collect is the collect stage (§9 "Auto-charge"): it first settles
// the charges whose outcome is unknown, then charges each invoice with an
// amount due on an account with a valid default card: once after it is
// finalized, and again after a soft decline on the retry schedule (counted
// from the first attempt), never after a hard decline, and never once the
// invoice is paid by any means. asOf is the run's time: retries fall due by it.
// Running it twice changes nothing the first run did.
func (s *Service) Collect(ctx context.Context, asOf time.Time) (CollectReport, error) {
	plan, err := s.PlanCollect(ctx, asOf)
	r := CollectReport{Settled: plan.Settled}
	if err != nil {
		return r, err
	}
	for _, group := range plan.Groups {
		for _, round := range group {
			got, err := s.CollectInvoices(ctx, asOf, round)
			r.Add(got)
			if err != nil {
				return r, err
			}
		}
	}
	return r, nil
}

// CollectPlan is what a collect stage charges: the invoices due, in
// groups of at most CollectBatch accounts, each group its accounts'
// invoices in rounds: an account's first invoice in the first round, its
// second in the second, and so on. An account's next invoice waits for
// the next round of its group, so that what its first one collected is
// known when the second is charged; the invoices of one round may be
// charged in any order, by any process, and groups side by side with no
// wait between them (the gateway's calls stay busy while a group reads
// and records).
type CollectPlan struct {
	Settled int
	Groups  [][][]string // invoice numbers
}

// PlanCollect settles the charges whose outcome is unknown and lists the
// invoices due for an auto-charge by asOf.
func (s *Service) PlanCollect(ctx context.Context, asOf time.Time) (CollectPlan, error) {
	var plan CollectPlan
	var err error
	if plan.Settled, err = s.SettleUnknown(ctx, "", asOf); err != nil {
		return plan, err
	}
	due, err := s.dueCandidates(ctx, asOf, nil)
	if err != nil {
		return plan, err
	}
	plan.Groups = numbersOf(groups(due, CollectBatch))
	return plan, nil
}

// groups splits invoices due, in the order of accounts and issue, into
// groups of at most n accounts, each group its accounts' invoices in
// rounds of distinct accounts, each round in account order.
func groups(due []store.CollectCandidate, n int) [][][]store.CollectCandidate {
	var out [][][]store.CollectCandidate
	group, nth := map[string]int{}, map[string]int{} // by account: its group, its invoices so far
	for _, c := range due {
		g, seen := group[c.AccountID]
		if !seen {
			g = len(group) / n
			group[c.AccountID] = g
			if g == len(out) {
				out = append(out, nil)
			}
		}
		round := nth[c.AccountID]
		nth[c.AccountID]++
		if round == len(out[g]) {
			out[g] = append(out[g], nil)
		}
		out[g][round] = append(out[g][round], c)
	}
	return out
}

// numbersOf is groups of invoices by their numbers.
func numbersOf(groups [][][]store.CollectCandidate) [][][]string {
	out := make([][][]string, len(groups))
	for g, group := range groups {
		out[g] = make([][]string, len(group))
		for r, round := range group {
			for _, c := range round {
				out[g][r] = append(out[g][r], c.Number)
			}
		}
	}
	return out
}

// CollectNow charges, in this process, those of the invoices numbers that
// are due for an auto-charge by asOf, a group's rounds one after another
// (the dunning stage's new late fees, §13).
func (s *Service) CollectNow(ctx context.Context, asOf time.Time, numbers []string) (CollectReport, error) {
	var r CollectReport
	if len(numbers) == 0 {
		return r, nil
	}
	due, err := s.dueCandidates(ctx, asOf, numbers)
	if err != nil {
		return r, err
	}
	for _, group := range groups(due, CollectBatch) {
		for _, round := range group {
			if err := s.collectBatch(ctx, round, asOf, &r); err != nil {
				return r, err
			}
		}
	}
	return r, nil
}

// CollectInvoices charges the invoices among numbers still due by asOf,
// which must be of distinct accounts (a round of CollectPlan), CollectBatch
// at most.
func (s *Service) CollectInvoices(ctx context.Context, asOf time.Time, numbers []string) (CollectReport, error) {
	var r CollectReport
	if len(numbers) > CollectBatch {
		return r, fmt.Errorf("%d invoices to charge at once: at most %d", len(numbers), CollectBatch)
	}
	due, err := s.dueCandidates(ctx, asOf, numbers)
	if err != nil || len(due) == 0 {
		return r, err
	}
	// Two invoices of one account charged at once would each be charged
	// without knowing what the other collected.
	for i := 1; i < len(due); i++ {
		if due[i].AccountID == due[i-1].AccountID { // in account order
			return r, fmt.Errorf("invoices %s and %s of account %s cannot be charged at once", due[i-1].Number, due[i].Number, due[i].AccountID)
		}
	}
	return r, s.collectBatch(ctx, due, asOf, &r)
}

// dueCandidates lists the invoices due for an auto-charge by asOf, of
// numbers or of all when numbers is nil, in the order of accounts and issue.
func (s *Service) dueCandidates(ctx context.Context, asOf time.Time, numbers []string) ([]store.CollectCandidate, error) {
	candidates, err := store.CollectCandidates(ctx, s.DB, numbers)
	if err != nil {
		return nil, fmt.Errorf("reading invoices to collect: %w", err)
	}
	schedule := s.retrySchedule()
	var due []store.CollectCandidate
	for _, c := range candidates {
		switch {
		case c.Disputed:
			continue // the dispute may yet return the money (§9.1)
		case c.LostAt != nil:
			// Reopened by a dispute lost: charged again on the retry
			// schedule, counted from the loss.
			if c.HardSince || c.LastStatus == "pending" || c.LastStatus == "unknown" || c.AttemptsSince >= len(schedule) ||
				asOf.Before(c.LostAt.Add(schedule[c.AttemptsSince])) {
				continue
			}
		case c.Hard, c.LastStatus == "pending", c.LastStatus == "unknown":
			continue
		case c.Attempts > len(schedule):
			continue // every retry was made
		case c.LastStatus == "declined" && asOf.Before(c.FirstAttempt.Add(schedule[c.Attempts-1])):
			continue // the next retry is not due yet
		}
		due = append(due, c)
	}
	return due, nil
}

// Add adds another part's counts.
func (r *CollectReport) Add(o CollectReport) {
	r.Settled += o.Settled
	r.Charged += o.Charged
	r.Succeeded += o.Succeeded
	r.Declined += o.Declined
	r.HardDeclined += o.HardDeclined
	r.Unknown += o.Unknown
}

// CollectBatch is how many invoices the collect stage charges at once, and
// collectCalls how many gateway calls a batch has in flight unless the
// service's Concurrency says otherwise (a real provider's
// gateway_concurrency, which its gateway.Limited enforces too).
const (
	CollectBatch = 500
	collectCalls = 16
)

func (s *Service) collectCalls() int {
	if s.Concurrency > 0 {
		return s.Concurrency
	}
	return collectCalls
}

// collectBatch charges invoices of distinct accounts under the accounts'
// payment locks: what is due is read once the locks are held, the attempts
// are committed in one statement before the gateway is called, the calls
// run side by side, and their outcomes are recorded in one transaction.
func (s *Service) collectBatch(ctx context.Context, batch []store.CollectCandidate, asOf time.Time, r *CollectReport) error {
	accounts := make([]string, len(batch))
	numbers := make([]string, len(batch))
	for i, c := range batch {
		accounts[i], numbers[i] = c.AccountID, c.Number
	}
	unlock, err := store.LockAccountsPayments(ctx, s.DB, accounts)
	if err != nil {
		return fmt.Errorf("waiting for the accounts' other payments: %w", err)
	}
	defer unlock()
	dues, err := store.DueOf(ctx, s.DB, numbers)
	if err != nil {
		return fmt.Errorf("reading what is due: %w", err)
	}
	byNumber := make(map[string]store.Due, len(dues))
	for _, d := range dues {
		byNumber[d.Number] = d
	}
	var attempts []store.Attempt
	tokens := map[string]string{}    // by idempotency key: the card each charge goes to
	customers := map[string]string{} // and the provider's customer it belongs to
	for _, c := range batch {
		d := byNumber[c.Number]
		amount := decimal.Min(d.Due, d.Balance.Sub(d.InFlight))
		if !amount.IsPositive() {
			continue // paid meanwhile, or covered by a charge in flight
		}
		no, method := c.Attempts+1, c.PaymentMethodID
		attempts = append(attempts, store.Attempt{Key: fmt.Sprintf("auto_%s_%d", c.Number, no),
			Request: fmt.Sprintf("auto_charge invoice=%s attempt=%d amount=%s card=%d", c.Number, no, money.Format(amount, money.Currency(c.Currency)), method),
			Purpose: "auto_charge", AccountID: c.AccountID, Currency: c.Currency, Amount: amount, InvoiceNumber: c.Number,
			PaymentMethodID: &method, Method: "card_on_file", MethodLabel: fmt.Sprintf("%s ending %s", c.Brand, c.Last4),
			AttemptNo: no, AttemptedAt: asOf})
		tokens[attempts[len(attempts)-1].Key] = c.Token
		customers[attempts[len(attempts)-1].Key] = c.Customer
	}
	if len(attempts) == 0 {
		return nil
	}
	ids, err := store.InsertAutoCharges(ctx, s.DB, attempts, asOf)
	if err != nil {
		return fmt.Errorf("recording the charges: %w", err)
	}
	made := attempts[:0]
	for _, a := range attempts {
		if id, ok := ids[a.Key]; ok { // a key taken by another process was charged by it
			a.ID = id
			made = append(made, a)
		}
	}
	results := make([]gateway.Result, len(made))
	failed := make([]error, len(made))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.collectCalls())
	for i, a := range made {
		g.Go(func() error {
			results[i], failed[i] = s.Gateway.Charge(gctx, gateway.Charge{Key: a.Key, Customer: customers[a.Key], Token: tokens[a.Key], Amount: a.Amount, Currency: money.Currency(a.Currency)})
			return nil
		})
	}
	_ = g.Wait()
	var answered []store.Attempt
	var firstErr error
	for i, a := range made {
		if failed[i] != nil {
			// Nothing is known of this charge: it stays pending and is asked
			// about before its invoice is charged again.
			if firstErr == nil {
				firstErr = fmt.Errorf("charging invoice %s: %w", a.InvoiceNumber, failed[i])
			}
			continue
		}
		res := results[i]
		a.Status, a.DeclineCode, a.Hard, a.GatewayReference = string(res.Outcome), res.DeclineCode, res.Hard, res.Reference
		answered = append(answered, a)
	}
	if err := s.record(ctx, answered, asOf); err != nil {
		return err
	}
	for _, a := range answered {
		r.count(a)
	}
	return firstErr
}

// record stores the outcomes of auto-charges in one transaction: the
// payments with their allocations and receipts, the hard declines' e-mails,
// and every attempt's status.
func (s *Service) record(ctx context.Context, answered []store.Attempt, asOf time.Time) error {
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var paid []store.Payment
		var accounts []string
		var mail []Letter
		for i := range answered {
			a := &answered[i]
			switch {
			case a.Status == string(gateway.Succeeded):
				a.PaymentID = fmt.Sprintf("PAY-%d", a.ID)
				paid = append(paid, store.Payment{PaymentID: a.PaymentID, AccountID: a.AccountID, Currency: a.Currency, Amount: a.Amount,
					Method: a.Method, MethodLabel: a.MethodLabel, GatewayReference: a.GatewayReference})
				accounts = append(accounts, a.AccountID)
				mail = append(mail, receipt(*a))
			case a.Status == string(gateway.Declined) && a.Hard:
				mail = append(mail, s.chargeFailed(*a))
			}
		}
		if err := store.InsertPayments(ctx, tx, paid, asOf); err != nil {
			return err
		}
		slices.Sort(accounts)
		if err := allocateCredits(ctx, tx, accounts); err != nil {
			return err
		}
		if err := s.outbox(ctx, tx, mail...); err != nil {
			return err
		}
		return store.SettleAttempts(ctx, tx, answered)
	})
	if err != nil {
		return fmt.Errorf("recording the outcomes of %d charges (the next run asks the gateway again): %w", len(answered), err)
	}
	return nil
}

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
