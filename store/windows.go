package store

import (
	"context"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	billingsql "github.com/openbilling/billing/sql"
)

// WindowInvoice is an invoice of a closed window: the original, or an
// adjustment naming it.
type WindowInvoice struct {
	Number  string          `db:"number"`
	TaxRate decimal.Decimal `db:"tax_rate"`
	Adjusts *string         `db:"adjusts"`
}

// The queries of closed windows and their reruns, resolved at start-up.
var (
	closedWindowLockForRerun   = named[windowKey](billingsql.Query("closed_window_lock_for_rerun"))
	closedWindowSetRerun       = named[windowSeen](billingsql.Query("closed_window_set_rerun"))
	invoiceCurrenciesForWindow = named[windowKey](billingsql.Query("invoice_currencies_for_window"))
	invoiceListForWindow       = named[windowCurrency](billingsql.Query("invoice_list_for_window"))
)

// LockClosedWindows locks an account's closed windows starting on a day (of
// one billing, or of both when billing is empty) until the transaction ends,
// and returns their billings: reruns of one window queue behind each other.
func LockClosedWindows(ctx context.Context, tx *Tx, accountID string, start calendar.Date, billing string) ([]string, error) {
	var billings []string
	err := closedWindowLockForRerun.sel(ctx, tx.x, &billings, windowKey{accountID, billing, start})
	return billings, err
}

// SetRerun records a rerun of a closed window and the snapshot (pg_snapshot
// text) it read in.
func SetRerun(ctx context.Context, q Queryer, accountID, billing string, start calendar.Date, seen string) error {
	_, err := closedWindowSetRerun.exec(ctx, q.ext(), windowSeen{windowKey{accountID, billing, start}, seen})
	return err
}

// WindowCurrencies lists the currencies a window was invoiced in.
func WindowCurrencies(ctx context.Context, q Queryer, accountID, billing string, start calendar.Date) ([]string, error) {
	var out []string
	err := invoiceCurrenciesForWindow.sel(ctx, q.ext(), &out, windowKey{accountID, billing, start})
	return out, err
}

// WindowInvoices lists a window's invoices in one currency: the original
// first, then its adjustments.
func WindowInvoices(ctx context.Context, q Queryer, accountID, billing string, start calendar.Date, currency string) ([]WindowInvoice, error) {
	var out []WindowInvoice
	err := invoiceListForWindow.sel(ctx, q.ext(), &out, windowCurrency{windowKey{accountID, billing, start}, currency})
	return out, err
}

// windowKey names a closed window: the parameters of
// closed_window_lock_for_rerun (billing "" for both) and
// invoice_currencies_for_window.
type windowKey struct {
	AccountID string        `db:"account_id"`
	Billing   string        `db:"billing"`
	Start     calendar.Date `db:"window_start"`
}

// windowSeen are the parameters of closed_window_set_rerun.
type windowSeen struct {
	windowKey
	Seen string `db:"seen"`
}

// windowCurrency are the parameters of invoice_list_for_window.
type windowCurrency struct {
	windowKey
	Currency string `db:"currency"`
}
