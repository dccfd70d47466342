package pipeline

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/pipeline/calendar"
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
	if err := cat.sumUsageDays(ctx, run.conn, calendar.Clamp(1, asOf.Year(), asOf.Month()-1), asOf+1); err != nil {
		return err
	}
	defer cat.dropUsageDays(ctx, run.conn)
	for _, a := range accounts {
		if err := checkpoint(ctx); err != nil {
			return err
		}
		if err := p.rateAccount(ctx, run.conn, cat, a, asOf, rep); err != nil {
			return fmt.Errorf("rating account %s: %w", a.ID, err)
		}
	}
	return nil
}

// rateLockClass is the first key of the per-account advisory locks of rating.
const rateLockClass = 0x52415445 // "RATE"

func (p *Pipeline) rateAccount(ctx context.Context, conn *sqlx.Conn, cat *catalog, a Account, asOf calendar.Date, rep *Report) error {
	tx, err := conn.BeginTxx(ctx, nil) // the run's own session, which holds usage_days
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	// Runs rating the same account at once take turns: each replaces the
	// account's figures whole.
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, rateLockClass, a.ID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM unbilled_charges WHERE account_id = $1`, a.ID); err != nil {
		return err
	}
	for _, b := range []calendar.Billing{calendar.BillingAnniversary, calendar.BillingCalendar} {
		subs, err := cat.loadSubscriptions(ctx, tx, a, b)
		if err != nil {
			return err
		}
		if len(subs) == 0 {
			continue
		}
		w := calendar.WindowOf(b, a.BillingDay, asOf)
		wc, err := cat.rateWindow(ctx, tx, a, b, w, subs)
		if err != nil {
			return err
		}
		for _, c := range wc.currencies() {
			subtotal := decimal.Zero
			for _, l := range wc.lines[c] {
				subtotal = subtotal.Add(l.Amount)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO unbilled_charges (account_id, billing, window_start, window_end, currency, lines, subtotal, as_of)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, a.ID, string(b), w.Start, w.End, string(c), len(wc.lines[c]), subtotal.String(), rep.AsOf); err != nil {
				return err
			}
			rep.Unbilled++
			rep.RatedLines += len(wc.lines[c])
		}
	}
	return tx.Commit()
}
