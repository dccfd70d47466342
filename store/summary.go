package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	billingsql "github.com/openbilling/billing/sql"
)

// AccountBalance is an account's sums in one currency: its finalized
// invoices' totals, its payments and its open windows' charges so far.
type AccountBalance struct {
	Currency string          `db:"currency"`
	Invoiced decimal.Decimal `db:"invoiced"`
	Paid     decimal.Decimal `db:"paid"`
	PaidBack decimal.Decimal `db:"paid_back"`
	Disputed decimal.Decimal `db:"disputed"` // taken back by disputes, less disputes won (§9.1)
	Due      decimal.Decimal `db:"due"`      // what the invoices still owe
	Unbilled decimal.Decimal `db:"unbilled"`
}

// UnbilledCharges are the charges so far of an open window, as last rated.
type UnbilledCharges struct {
	Billing     string          `db:"billing"`
	WindowStart calendar.Date   `db:"window_start"`
	WindowEnd   calendar.Date   `db:"window_end"`
	Currency    string          `db:"currency"`
	Lines       int             `db:"lines"`
	Subtotal    decimal.Decimal `db:"subtotal"`
	RatedAt     time.Time       `db:"as_of"`
}

// The queries of an account's summary, resolved at start-up.
var (
	accountBalances            = billingsql.Query("account_balances")
	unbilledChargesForAccount  = billingsql.Query("unbilled_charges_list_for_account")
	paymentMethodGet           = billingsql.Query("payment_method_get")
	invoiceLastAnniversaryDate = billingsql.Query("invoice_last_anniversary_date")
)

// AccountBalances returns an account's sums per currency.
func AccountBalances(ctx context.Context, q Queryer, accountID string) ([]AccountBalance, error) {
	var out []AccountBalance
	err := sqlx.SelectContext(ctx, q.ext(), &out, accountBalances, accountID)
	return out, err
}

// UnbilledChargesOf returns an account's charges so far in its open windows.
func UnbilledChargesOf(ctx context.Context, q Queryer, accountID string) ([]UnbilledCharges, error) {
	var out []UnbilledCharges
	err := sqlx.SelectContext(ctx, q.ext(), &out, unbilledChargesForAccount, accountID)
	return out, err
}

// PaymentMethodOf returns an account's card on file, or nil.
func PaymentMethodOf(ctx context.Context, q Queryer, accountID string) (*PaymentMethod, error) {
	var pm PaymentMethod
	err := sqlx.GetContext(ctx, q.ext(), &pm, paymentMethodGet, accountID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &pm, nil
}

// LastAnniversaryInvoiceDate is the issue date of an account's last original
// anniversary invoice, if it has one.
func LastAnniversaryInvoiceDate(ctx context.Context, q Queryer, accountID string) (calendar.Date, bool, error) {
	var last sql.Null[calendar.Date]
	err := sqlx.GetContext(ctx, q.ext(), &last, invoiceLastAnniversaryDate, accountID)
	return last.V, last.Valid, err
}
