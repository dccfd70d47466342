package pipeline

import (
	"context"
	"fmt"

	billingsql "github.com/openbilling/billing/sql"
)

// noAccount stands for the account of usage whose subscription is unknown.
const noAccount = "(unknown subscription)"

// extract derives the subscriptions from their orders and counts what waits:
// usage of subscriptions no order has created, and late records that
// arrived for closed windows (SPEC §4, §7). Held orders and usage of known
// subscriptions are counted, with their reasons, by the window that closes
// over them. It changes no invoice.
func (p *Pipeline) extract(ctx context.Context, run *runState, rep *Report) error {
	// On the run's session, whose work_mem lets the million-row sorts stay in memory.
	res, err := run.conn.ExecContext(ctx, billingsql.Query("subscription_upsert_from_orders"))
	if err != nil {
		return fmt.Errorf("deriving subscriptions: %w", err)
	}
	n, _ := res.RowsAffected()
	rep.Subscriptions = int(n)

	var unknown []struct {
		WindowStart string `db:"window_start"`
		Records     int    `db:"records"`
	}
	if err := run.conn.SelectContext(ctx, &unknown, billingsql.Query("usage_unknown_subscription_counts")); err != nil {
		return fmt.Errorf("counting usage of unknown subscriptions: %w", err)
	}
	for _, u := range unknown {
		rep.Held = append(rep.Held, HeldCount{AccountID: noAccount, WindowStart: u.WindowStart, Reason: "usage for a subscription no new order has created", Records: u.Records})
	}
	return nil
}

// countLate reports the records of closed windows that their close or last
// rerun did not see (SPEC §7): counted after the close, so that what an
// import committed while this run closed windows is reported by this run.
func (p *Pipeline) countLate(ctx context.Context, run *runState, rep *Report) error {
	if err := run.conn.SelectContext(ctx, &rep.Late, billingsql.Query("late_counts")); err != nil {
		return fmt.Errorf("counting late records: %w", err)
	}
	return nil
}
