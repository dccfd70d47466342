package store

import (
	"context"
	"database/sql"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/openbilling/billing/calendar"
	billingsql "github.com/openbilling/billing/sql"
)

// BillingDayChange is an operator's change of an account's billing day
// (billing_day_changes, §7).
type BillingDayChange struct {
	AccountID string        `db:"account_id"`
	From      calendar.Date `db:"effective_from"`
	Previous  int           `db:"previous_day"`
	Day       int           `db:"billing_day"`
}

// The queries of billing days, resolved at start-up.
var (
	billingDayChangeList          = billingsql.Query("billing_day_change_list")
	billingDayChangeDeletePending = named[accountFrom](billingsql.Query("billing_day_change_delete_pending"))
	billingDayChangeInsert        = named[BillingDayChange](billingsql.Query("billing_day_change_insert"))
	accountSetBillingDay          = named[accountDay](billingsql.Query("account_set_billing_day"))
	closedWindowLastAnniversary   = billingsql.Query("closed_window_last_anniversary_end")
)

// BillingDayChanges lists the billing day changes of the accounts of ids,
// or of every account when ids is nil, by account and date.
func BillingDayChanges(ctx context.Context, q Queryer, ids []string) ([]BillingDayChange, error) {
	var out []BillingDayChange
	err := sqlx.SelectContext(ctx, q.ext(), &out, billingDayChangeList, pq.Array(ids))
	return out, err
}

// LastClosedAnniversaryEnd is the last day of an account's last closed
// anniversary window, if it has one.
func LastClosedAnniversaryEnd(ctx context.Context, q Queryer, accountID string) (calendar.Date, bool, error) {
	var end sql.Null[calendar.Date]
	err := sqlx.GetContext(ctx, q.ext(), &end, closedWindowLastAnniversary, accountID)
	return end.V, end.Valid, err
}

// ReplacePendingBillingDayChange removes an account's changes from c.From
// on (not yet in effect) and records c.
func ReplacePendingBillingDayChange(ctx context.Context, q Queryer, c BillingDayChange) error {
	if _, err := billingDayChangeDeletePending.exec(ctx, q.ext(), accountFrom{c.AccountID, c.From}); err != nil {
		return err
	}
	_, err := billingDayChangeInsert.exec(ctx, q.ext(), c)
	return err
}

// SetAccountBillingDay sets the billing day an account has from now on.
func SetAccountBillingDay(ctx context.Context, q Queryer, accountID string, day int) error {
	_, err := accountSetBillingDay.exec(ctx, q.ext(), accountDay{accountID, day})
	return err
}

// accountDay are the parameters of account_set_billing_day.
type accountDay struct {
	AccountID string `db:"account_id"`
	Day       int    `db:"billing_day"`
}

// accountFrom are the parameters of billing_day_change_delete_pending.
type accountFrom struct {
	AccountID string        `db:"account_id"`
	From      calendar.Date `db:"effective_from"`
}
