package store

import (
	"context"
	"database/sql"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/openbilling/billing/calendar"
	billingsql "github.com/openbilling/billing/sql"
)

// LateCount is how many records of a closed window its close (or last
// rerun) did not see (§7).
type LateCount struct {
	AccountID   string `db:"account_id"`
	Billing     string `db:"billing"`
	WindowStart string `db:"window_start"`
	Orders      int    `db:"orders"`
	Usage       int    `db:"usage"`
}

// BackdatedCount is how many records of an account, received since the
// previous run, are dated more than a year before they arrived.
type BackdatedCount struct {
	AccountID string `db:"account_id"`
	Kind      string `db:"kind"`
	Records   int    `db:"records"`
	Oldest    string `db:"oldest"`
}

// HeldUsage is usage no window will bill as things stand, by account (null
// for an unknown subscription), billing, product kind and UTC day, with its
// account's first activity date in that billing.
type HeldUsage struct {
	AccountID sql.NullString          `db:"account_id"`
	Billing   calendar.Billing        `db:"billing"`
	Kind      string                  `db:"kind"`
	Day       calendar.Date           `db:"day"`
	First     sql.Null[calendar.Date] `db:"first_date"`
	Records   int                     `db:"records"`
}

// The queries of the extract stage and of the counts a run reports,
// resolved at start-up.
var (
	subscriptionUpsertFromOrders = named[pendingImports](billingsql.Query("subscription_upsert_from_orders"))
	derivePendingImports         = billingsql.Query("derive_pending_imports")
	derivedImportsInsert         = billingsql.Query("derived_imports_insert")
	lateCounts                   = named[unseenImports](billingsql.Query("late_counts"))
	lateUnseenImports            = billingsql.Query("late_unseen_imports")
	heldRecentImports            = billingsql.Query("held_recent_imports")
	backdatedCounts              = billingsql.Query("backdated_counts")
	usageHeldCounts              = named[heldScope](billingsql.Query("usage_held_counts"))
)

// DeriveSubscriptions derives from their orders (§2) the
// subscriptions of the orders imports not derived yet, every one the first
// time, lists those imports as derived in the same transaction, and returns
// how many subscriptions it added or changed.
func DeriveSubscriptions(ctx context.Context, conn *Conn) (int64, error) {
	tx, err := conn.x.BeginTxx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	var pending pendingImports
	if err := tx.GetContext(ctx, &pending, derivePendingImports); err != nil {
		return 0, err
	}
	if len(pending.XIDs) == 0 && !pending.Everything {
		return 0, nil
	}
	res, err := subscriptionUpsertFromOrders.exec(ctx, tx, pending)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, derivedImportsInsert, pending.XIDs); err != nil {
		return 0, err
	}
	return n, tx.Commit()
}

// LateCounts counts the late records of every closed window that has some.
// It first finds the imports some closed window did not see, then reads
// only their records: with none, and nothing from before snapshots were
// kept, nothing is late and no record is read.
func LateCounts(ctx context.Context, q Queryer) ([]LateCount, error) {
	var unseen unseenImports
	if err := sqlx.GetContext(ctx, q.ext(), &unseen, lateUnseenImports); err != nil {
		return nil, err
	}
	var out []LateCount
	err := lateCounts.sel(ctx, q.ext(), &out, unseen)
	return out, err
}

// BackdatedCounts counts, per account, the records received since the run
// before runID began that are dated more than a year before they arrived.
func BackdatedCounts(ctx context.Context, q Queryer, runID int64) ([]BackdatedCount, error) {
	var out []BackdatedCount
	err := sqlx.SelectContext(ctx, q.ext(), &out, backdatedCounts, runID)
	return out, err
}

// HeldUsageCounts counts the usage no window will bill as things stand,
// among the usage dated from openFrom on (the open windows') and the usage
// imported since the run before runID began.
func HeldUsageCounts(ctx context.Context, q Queryer, runID int64, openFrom string) ([]HeldUsage, error) {
	scope := heldScope{OpenFrom: openFrom}
	if err := sqlx.GetContext(ctx, q.ext(), &scope.recentImports, heldRecentImports, runID); err != nil {
		return nil, err
	}
	var out []HeldUsage
	err := usageHeldCounts.sel(ctx, q.ext(), &out, scope)
	return out, err
}

// pendingImports are the imports whose orders no subscription was derived
// from yet, or everything: the parameters of subscription_upsert_from_orders.
type pendingImports struct {
	XIDs       pq.StringArray `db:"xids"`
	Everything bool           `db:"everything"`
}

// unseenImports are the imports some closed window did not see, from
// late_unseen_imports: the parameters of late_counts.
type unseenImports struct {
	Usage         pq.StringArray `db:"usage"`
	UsageReceived pq.StringArray `db:"usage_received"`
	Orders        pq.StringArray `db:"orders"`
	Legacy        bool           `db:"legacy"`
}

// recentImports are the imports since a run began, from held_recent_imports.
type recentImports struct {
	XIDs     pq.StringArray `db:"xids"`
	Received pq.StringArray `db:"received"`
}

// heldScope is the usage held counts read: the open windows' from OpenFrom
// on, and the recent imports'.
type heldScope struct {
	OpenFrom string `db:"open_from"`
	recentImports
}
