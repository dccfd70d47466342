package pipeline

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/pipeline/calendar"
	"github.com/openbilling/billing/store"
)

// rate refreshes each account's charges so far in its open windows, the
// windows holding the as-of date (SPEC §9's estimated next balance). These
// figures are never billed from: closing recomputes from the source records.
func (p *Pipeline) rate(ctx context.Context, run *runState, rep *Report) error {
	cat, err := loadCatalog(ctx, p.DB)
	if err != nil {
		return err
	}
	accounts, err := loadAccounts(ctx, p.DB)
	if err != nil {
		return err
	}
	asOf := calendar.DateOf(rep.AsOf)
	// The open windows hold the as-of date: none starts more than a month before it.
	if _, err := cat.sumUsageDays(ctx, run.conn, run.id, calendar.Clamp(1, asOf.Year(), asOf.Month()-1), asOf+1); err != nil {
		return err
	}
	defer cat.dropUsageDays(ctx, run.conn)
	for start := 0; start < len(accounts); start += rateBatch {
		if err := checkpoint(ctx); err != nil {
			return err
		}
		batch := accounts[start:min(start+rateBatch, len(accounts))]
		if err := p.rateAccounts(ctx, run.conn, cat, batch, asOf, rep); err != nil {
			return fmt.Errorf("rating accounts %s to %s: %w", batch[0].ID, batch[len(batch)-1].ID, err)
		}
	}
	return nil
}

// rateBatch is the most accounts rated together: one query for their
// orders, one for their usage and one transaction for their figures.
const rateBatch = 500

// bothBillings are the billings an account's open windows are rated in.
var bothBillings = [...]calendar.Billing{calendar.BillingAnniversary, calendar.BillingCalendar}

func (p *Pipeline) rateAccounts(ctx context.Context, conn *sqlx.Conn, cat *catalog, accounts []Account, asOf calendar.Date, rep *Report) error {
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
	for i, r := range reqs {
		wc := rated[i]
		for _, c := range wc.currencies() {
			subtotal := decimal.Zero
			for _, l := range wc.lines[c] {
				subtotal = subtotal.Add(l.Amount)
			}
			rows = append(rows, store.UnbilledRow{AccountID: r.account.ID, Billing: string(billings[i]), WindowStart: r.window.Start,
				WindowEnd: r.window.End, Currency: string(c), Lines: int64(len(wc.lines[c])), Subtotal: subtotal})
			rep.Unbilled++
			rep.RatedLines += len(wc.lines[c])
		}
	}
	ids := make([]string, len(accounts))
	for i, a := range accounts {
		ids[i] = a.ID
	}
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	// Runs rating the same accounts at once take turns: each replaces the
	// accounts' figures whole.
	if err := store.LockAccountsForRating(ctx, tx, ids); err != nil {
		return err
	}
	if err := store.ReplaceUnbilledCharges(ctx, tx, ids, rows, rep.AsOf); err != nil {
		return err
	}
	return tx.Commit()
}
