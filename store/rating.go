package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/rating"
	billingsql "github.com/openbilling/billing/sql"
)

// OrderRow is an order with what rating it needs: its account, billing,
// product kind and customer currency.
type OrderRow struct {
	AccountID        string           `db:"account_id"`
	Billing          calendar.Billing `db:"billing"`
	OrderID          string           `db:"order_id"`
	SubscriptionID   string           `db:"subscription_id"`
	CustomerID       string           `db:"customer_id"`
	SKU              string           `db:"sku"`
	Action           rating.Action    `db:"action"`
	Quantity         decimal.Decimal  `db:"quantity"`
	EffectiveDate    calendar.Date    `db:"effective_date"`
	CustomerCurrency money.Currency   `db:"customer_currency"`
	Kind             rating.Kind      `db:"kind"`
}

// UsageDay is a subscription's usage on one UTC day, for the request (from
// 1) it answers.
type UsageDay struct {
	Request  int             `db:"request"`
	Day      calendar.Date   `db:"day"`
	Quantity decimal.Decimal `db:"quantity"`
	Events   int64           `db:"events"`
}

// The queries of rating, resolved at start-up.
var (
	orderListForAccounts = named[accountBillings](billingsql.Query("order_list_for_accounts"))
	usageDailyForWindows = named[usageWindows](billingsql.Query("usage_daily_for_windows"))
	usageDaysForWindows  = named[usageWindows](billingsql.Query("usage_days_for_windows"))
	usageDaysCreate      = named[usageSpan](billingsql.Query("usage_days_create"))
	usageDaysStale       = named[staleTables](billingsql.Query("usage_days_stale"))
)

// StreamOrders streams the orders of some accounts' subscriptions of one
// billing each, by account, billing and subscription, in the order they
// apply (§4), to yield.
func StreamOrders(ctx context.Context, q Queryer, accountIDs, billings []string, yield func(OrderRow) error) error {
	rows, err := orderListForAccounts.rows(ctx, q.ext(), accountBillings{accountIDs, billings})
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r OrderRow
		if err := rows.StructScan(&r); err != nil {
			return err
		}
		if err := yield(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// StreamUsageDays streams usage subscriptions' days in their windows
// [from, to), by request and day, to yield: from the run's usage_days table
// when table is set (see SumUsageDays), else from the events themselves.
func StreamUsageDays(ctx context.Context, q Queryer, table string, subscriptions, from, to []string, yield func(*UsageDay) error) error {
	query := usageDailyForWindows
	if table != "" {
		query = usageDaysForWindows.on("usage_days", table)
	}
	rows, err := query.rows(ctx, q.ext(), usageWindows{subscriptions, from, to})
	if err != nil {
		return err
	}
	defer rows.Close()
	var day UsageDay
	for rows.Next() {
		if err := rows.StructScan(&day); err != nil {
			return err
		}
		if err := yield(&day); err != nil {
			return err
		}
	}
	return rows.Err()
}

// usageDaysPrefix starts the name of a run's usage_days table; the run id
// ends it.
const usageDaysPrefix = "usage_days_r"

// SumUsageDays sums, in one statement, the usage of [from, to) per
// subscription and UTC day into an unlogged, indexed table of run runID,
// which any session can read, and returns its name and the snapshot
// (pg_snapshot text) the sums were read in: the usage committed after it is
// late for the windows closed from them (§7). Tables left by runs that
// died are dropped first.
func SumUsageDays(ctx context.Context, conn *Conn, runID int64, from, to time.Time) (table, seen string, err error) {
	var stale []string
	if err := usageDaysStale.sel(ctx, conn.x, &stale, staleTables{usageDaysPrefix, runID}); err != nil {
		return "", "", err
	}
	for _, t := range stale {
		if _, err := conn.x.ExecContext(ctx, `DROP TABLE IF EXISTS `+pq.QuoteIdentifier(t)); err != nil {
			return "", "", err
		}
	}
	table = usageDaysPrefix + strconv.FormatInt(runID, 10)
	tx, err := conn.x.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return "", "", err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if seen, err = CurrentSnapshot(ctx, &Tx{x: tx}); err != nil {
		return "", "", err
	}
	if _, err := usageDaysCreate.on("usage_days", table).exec(ctx, tx, usageSpan{from, to}); err != nil {
		return "", "", fmt.Errorf("summing usage: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return "", "", err
	}
	if _, err := conn.x.ExecContext(ctx, `CREATE INDEX ON `+table+` (subscription_id, day); ANALYZE `+table); err != nil {
		return table, "", err
	}
	return table, seen, nil
}

// DropUsageDays drops a run's usage_days table.
func DropUsageDays(ctx context.Context, conn *Conn, table string) {
	_, _ = conn.x.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS `+pq.QuoteIdentifier(table))
}

// CurrentSnapshot is the snapshot of q's transaction, as text: in a
// repeatable-read transaction, the one every statement of it reads in.
func CurrentSnapshot(ctx context.Context, q Queryer) (string, error) {
	var seen string
	err := sqlx.GetContext(ctx, q.ext(), &seen, `SELECT pg_current_snapshot()::text`)
	return seen, err
}

// accountBillings are the parameters of order_list_for_accounts.
type accountBillings struct {
	Accounts []string `db:"accounts"`
	Billings []string `db:"billings"`
}

// usageSpan are the parameters of usage_days_create.
type usageSpan struct {
	From time.Time `db:"from"`
	To   time.Time `db:"to"`
}

// staleTables are the parameters of usage_days_stale.
type staleTables struct {
	Prefix string `db:"prefix"`
	RunID  int64  `db:"run_id"`
}

// usageWindows are the parameters of usage_daily_for_windows.
type usageWindows struct {
	Subscriptions []string `db:"subscriptions"`
	From          []string `db:"from_days"`
	To            []string `db:"to_days"`
}
