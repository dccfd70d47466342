package store

import (
	"context"
	"database/sql"

	"github.com/jmoiron/sqlx"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/money"
	billingsql "github.com/openbilling/billing/sql"
)

// Check is one of the guarantee checks made in SQL (§12): each row it
// finds is a breach, described on one line with its ids.
type Check struct {
	Guarantee, Name string
	query           string
}

// Checks are the guarantee checks made in SQL, resolved at start-up.
var Checks = []Check{
	{"12.1", "duplicate invoices", billingsql.Query("verify_duplicate_invoices")},
	{"12.1", "invoice numbers", billingsql.Query("verify_invoice_numbers")},
	{"12.1", "closed windows", billingsql.Query("verify_windows")},
	{"12.2", "invoice sums", billingsql.Query("verify_invoice_sums")},
	{"12.3", "usage billed", billingsql.Query("verify_usage_billed")},
	{"12.3", "orders billed", billingsql.Query("verify_orders_billed")},
	{"12.3", "imports recorded", billingsql.Query("verify_imports_recorded")},
	{"12.3", "order references", billingsql.Query("verify_order_references")},
	{"12.5", "ledger", billingsql.Query("verify_ledger")},
	{"12.7", "late fees", billingsql.Query("verify_late_fees")},
	{"12.8", "events", billingsql.Query("verify_events")},
	{"12.8", "webhook deliveries", billingsql.Query("verify_webhook_deliveries")},
	{"12.9", "provider events and disputes", billingsql.Query("verify_providers")},
}

var verifyLateFeeAmounts = billingsql.Query("verify_late_fee_amounts")

// AssessedFee is a late fee as assessed, with what it was assessed on.
type AssessedFee struct {
	Invoice   string          `db:"invoice_number"`
	Currency  money.Currency  `db:"currency"`
	DueDate   calendar.Date   `db:"due_date"`
	AmountDue decimal.Decimal `db:"amount_due"`
	Fee       decimal.Decimal `db:"fee"`
}

// LateFees lists every assessment, for the check of its amount (§12.7).
func (s *Snapshot) LateFees(ctx context.Context) ([]AssessedFee, error) {
	var out []AssessedFee
	err := s.tx.SelectContext(ctx, &out, verifyLateFeeAmounts)
	return out, err
}

// LateFeePolicies lists the late-fee policies as the snapshot sees them.
func (s *Snapshot) LateFeePolicies(ctx context.Context) ([]LateFeePolicy, error) {
	return LateFeePolicies(ctx, &Tx{x: s.tx})
}

var verifyFinalTriggers = billingsql.Query("verify_final_triggers")

// Snapshot is a read-only view of the database as of one moment, for checks
// that must agree with each other.
type Snapshot struct{ tx *sqlx.Tx }

// OpenSnapshot starts a read-only repeatable-read transaction, with memory
// for whole-table hashes and no just-in-time compilation (it cost the
// checks more than it saved). Close ends it.
func OpenSnapshot(ctx context.Context, db *DB) (*Snapshot, error) {
	tx, err := db.x.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `SET LOCAL work_mem = '64MB'; SET LOCAL jit = off`); err != nil {
		tx.Rollback() //nolint:errcheck // the error above is the one to report
		return nil, err
	}
	return &Snapshot{tx: tx}, nil
}

// Close ends the snapshot.
func (s *Snapshot) Close() { s.tx.Rollback() } //nolint:errcheck // read only

// Breaches runs a check and returns what it found.
func (s *Snapshot) Breaches(ctx context.Context, c Check) ([]string, error) {
	var found []string
	err := s.tx.SelectContext(ctx, &found, c.query)
	return found, err
}

// FinalTriggers counts the enabled triggers that keep finalized invoices final.
func (s *Snapshot) FinalTriggers(ctx context.Context) (int, error) {
	var n int
	err := s.tx.GetContext(ctx, &n, verifyFinalTriggers)
	return n, err
}

// Files returns every recorded file.
func (s *Snapshot) Files(ctx context.Context) ([]StoredFile, error) {
	return StoredFiles(ctx, &Tx{x: s.tx})
}
