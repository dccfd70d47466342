package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/pipeline/units"
	"github.com/openbilling/billing/store"
)

// rate refreshes each account's charges so far in its open windows, the
// windows holding the as-of date (§9's estimated next balance). These
// figures are never billed from: closing recomputes from the source records.
// The accounts are rated in units of rateBatch, by any worker (units.go).
func (p *Pipeline) rate(ctx context.Context, run *runState, rep *Report) error {
	began := time.Now()
	sh, err := p.loadShared(ctx, run.id)
	if err != nil {
		return err
	}
	asOf := calendar.DateOf(rep.AsOf)
	// The open windows hold the as-of date: none starts more than a month
	// before it. The sums are read by every unit.
	sums := *sh.cat
	if _, err := sums.sumUsageDays(ctx, run.conn, run.id, calendar.Clamp(1, asOf.Year(), asOf.Month()-1), asOf+1); err != nil {
		return err
	}
	defer sums.dropUsageDays(ctx, run.conn)
	rep.addSeconds("rate_prepare", time.Since(began).Seconds())
	accounts, err := store.ListAccounts(ctx, p.DB, nil)
	if err != nil {
		return fmt.Errorf("listing accounts: %w", err)
	}
	ids := make([]string, len(accounts))
	for i, a := range accounts {
		ids[i] = a.ID
	}
	var todo []units.Unit
	for start := 0; start < len(ids); start += rateBatch {
		todo = append(todo, units.Unit{RunID: run.id, Stage: string(StageRate), AsOf: rep.AsOf, Catalog: sh.cat.version, Accounts: ids[start:min(start+rateBatch, len(ids))]})
	}
	return p.awaitCounts(ctx, run, rep, todo, func(b []byte) error {
		var c rateCounts
		err := json.Unmarshal(b, &c)
		rep.Unbilled += c.Unbilled
		rep.RatedLines += c.RatedLines
		return err
	})
}

// rateCounts are what a rate unit counted.
type rateCounts struct {
	Unbilled   int `json:"unbilled_windows"`
	RatedLines int `json:"rated_lines"`
}

// rateUnit rates a unit's accounts.
func (p *Pipeline) rateUnit(ctx context.Context, u units.Unit) error {
	sh, err := p.sharedFor(ctx, u)
	if err != nil {
		return err
	}
	byID, err := unitAccounts(ctx, p.DB, u.Accounts)
	if err != nil {
		return err
	}
	batch := make([]Account, len(u.Accounts))
	for i, id := range u.Accounts {
		batch[i] = byID[id]
	}
	conn, err := p.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := p.rateAccounts(ctx, conn, sh.rating(), batch, u); err != nil {
		return fmt.Errorf("rating accounts %s to %s: %w", batch[0].ID, batch[len(batch)-1].ID, err)
	}
	return nil
}

// rateBatch is the most accounts rated together: one query for their
// orders, one for their usage and one transaction for their figures.
const rateBatch = 500

// bothBillings are the billings an account's open windows are rated in.
var bothBillings = [...]calendar.Billing{calendar.BillingAnniversary, calendar.BillingCalendar}

func (p *Pipeline) rateAccounts(ctx context.Context, conn *store.Conn, cat *catalog, accounts []Account, u units.Unit) error {
	asOf := calendar.DateOf(u.AsOf)
	var pairs []Account // each account twice, once per billing
	var pairBillings []calendar.Billing
	for _, a := range accounts {
		for _, b := range bothBillings {
			pairs, pairBillings = append(pairs, a), append(pairBillings, b)
		}
	}
	subs, err := cat.loadSubscriptionsOf(ctx, conn, pairs, pairBillings)
	if err != nil {
		return err
	}
	var reqs []rateRequest
	var billings []calendar.Billing
	for _, a := range accounts {
		for _, b := range bothBillings {
			if s := subs[accountBilling{a.ID, b}]; len(s) > 0 {
				reqs = append(reqs, rateRequest{account: a, window: a.Days.WindowOf(b, asOf), subs: s})
				billings = append(billings, b)
			}
		}
	}
	rated, err := cat.rateWindows(ctx, conn, reqs)
	if err != nil {
		return err
	}
	var rows []store.UnbilledRow
	var counts rateCounts
	for i, r := range reqs {
		wc := rated[i]
		for _, c := range wc.currencies() {
			subtotal := decimal.Zero
			for _, l := range wc.lines[c] {
				subtotal = subtotal.Add(l.Amount)
			}
			rows = append(rows, store.UnbilledRow{AccountID: r.account.ID, Billing: string(billings[i]), WindowStart: r.window.Start,
				WindowEnd: r.window.End, Currency: string(c), Lines: int64(len(wc.lines[c])), Subtotal: subtotal})
			counts.Unbilled++
			counts.RatedLines += len(wc.lines[c])
		}
	}
	ids := make([]string, len(accounts))
	for i, a := range accounts {
		ids[i] = a.ID
	}
	return conn.InTx(ctx, func(tx *store.Tx) error {
		// Runs rating the same accounts at once take turns: each replaces the
		// accounts' figures whole.
		if err := store.LockAccountsForRating(ctx, tx, ids); err != nil {
			return err
		}
		// The unit is recorded done with its figures: a second worker doing
		// it finds it done and writes nothing.
		if saved, err := units.Save(ctx, tx, u, nil, counts); err != nil || !saved {
			return err
		}
		return store.ReplaceUnbilledCharges(ctx, tx, ids, rows, u.AsOf)
	})
}
