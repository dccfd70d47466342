package pipeline

import (
	"context"
	"fmt"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/store"
)

// BillingDayChange is what SetBillingDay did.
type BillingDayChange struct {
	AccountID  string
	From, To   int
	Transition *calendar.Window // nil when no window had closed: the new day applies from the start
}

// SetBillingDay changes an account's billing day (§7). The change takes
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
	var out *BillingDayChange
	err := p.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := store.LockCloseInTx(ctx, tx); err != nil {
			return fmt.Errorf("waiting for closing runs: %w", err)
		}
		a, err := loadAccount(ctx, tx, accountID)
		if err != nil {
			return err
		}
		lastEnd, closed, err := store.LastClosedAnniversaryEnd(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		out = &BillingDayChange{AccountID: a.ID, From: a.Days.Current(), To: day}
		if closed {
			from := lastEnd + 1
			// A change not yet in effect (its transition has not closed) is
			// replaced: the day before it is the one in effect at from.
			kept := a.Days.Changes[:0:0]
			for _, c := range a.Days.Changes {
				if c.From < from {
					kept = append(kept, c)
				}
			}
			a.Days.Changes = kept
			if previous := a.Days.WindowOf(calendar.BillingAnniversary, lastEnd); previous.End != lastEnd {
				return fmt.Errorf("account %s: the last closed window ends %s, but its billing days place a window end on %s", a.ID, lastEnd, previous.End)
			}
			if err := store.ReplacePendingBillingDayChange(ctx, tx, store.BillingDayChange{AccountID: a.ID, From: from, Previous: a.Days.Current(), Day: day}); err != nil {
				return fmt.Errorf("recording the change: %w", err)
			}
			a.Days.Changes = append(a.Days.Changes, calendar.DayChange{From: from, Day: day})
			w := a.Days.WindowOf(calendar.BillingAnniversary, from)
			out.Transition = &w
		}
		if err := store.SetAccountBillingDay(ctx, tx, a.ID, day); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	p.Log.Info("billing_day_changed", "account_id", out.AccountID, "from", out.From, "to", day)
	return out, nil
}
