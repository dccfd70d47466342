package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	billingsql "github.com/openbilling/billing/sql"

	"github.com/openbilling/billing/pipeline/calendar"
)

// BillingDayChange is what SetBillingDay did.
type BillingDayChange struct {
	AccountID  string
	From, To   int
	Transition *calendar.Window // nil when no window had closed: the new day applies from the start
}

// SetBillingDay changes an account's billing day (SPEC §7). The change takes
// effect after the account's last closed anniversary window: the next window
// is a transition window from there up to the day before the new billing
// day, and the windows after it follow the new day. Windows already closed
// keep their dates, so no charge is billed twice or skipped. A change made
// again before its transition window closed replaces it.
//
// It waits for any close in progress (the close's lock), so the windows a
// close is working on cannot change under it.
func (p *Pipeline) SetBillingDay(ctx context.Context, accountID string, day int) (*BillingDayChange, error) {
	if day < 1 || day > 31 {
		return nil, fmt.Errorf("billing day %d is outside 1..31", day)
	}
	tx, err := p.DB.BeginTxx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, closeLockKey); err != nil {
		return nil, fmt.Errorf("waiting for closing runs: %w", err)
	}
	a, err := loadAccount(ctx, tx, accountID)
	if err != nil {
		return nil, err
	}
	var lastEnd sql.Null[calendar.Date]
	if err := tx.GetContext(ctx, &lastEnd, billingsql.Query("closed_window_last_anniversary_end"), a.ID); err != nil {
		return nil, err
	}
	out := &BillingDayChange{AccountID: a.ID, From: a.Days.Current(), To: day}
	if lastEnd.Valid {
		from := lastEnd.V + 1
		// A change not yet in effect (its transition has not closed) is replaced.
		if _, err := tx.ExecContext(ctx, billingsql.Query("billing_day_change_delete_pending"), a.ID, from); err != nil {
			return nil, err
		}
		if a, err = loadAccount(ctx, tx, accountID); err != nil {
			return nil, err
		}
		previous := a.Days.WindowOf(calendar.BillingAnniversary, lastEnd.V)
		if _, err := tx.ExecContext(ctx, billingsql.Query("billing_day_change_insert"),
			a.ID, from, a.Days.Current(), day); err != nil {
			return nil, fmt.Errorf("recording the change: %w", err)
		}
		if previous.End != lastEnd.V {
			return nil, fmt.Errorf("account %s: the last closed window ends %s, but its billing days place a window end on %s", a.ID, lastEnd.V, previous.End)
		}
		a.Days.Changes = append(a.Days.Changes, calendar.DayChange{From: from, Day: day})
		w := a.Days.WindowOf(calendar.BillingAnniversary, from)
		out.Transition = &w
	}
	if _, err := tx.ExecContext(ctx, billingsql.Query("account_set_billing_day"), a.ID, day); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	p.Log.Info("billing_day_changed", "account_id", a.ID, "from", out.From, "to", day)
	return out, nil
}
