package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/invoicing"
	billingsql "github.com/openbilling/billing/sql"
)

// WindowClaim is a window a close marks closed.
type WindowClaim struct {
	AccountID          string
	Billing            calendar.Billing
	Start, End, Closes calendar.Date
}

// ClaimedWindow is a window a close claimed.
type ClaimedWindow struct {
	AccountID string           `db:"account_id"`
	Billing   calendar.Billing `db:"billing"`
	Start     calendar.Date    `db:"window_start"`
}

// NewInvoice is a finalized invoice with the number it takes.
type NewInvoice struct {
	invoicing.Invoice
	Number, Series string
	Seq            int64
	Adjusts        string // the invoice it adjusts, or ""
	Reason         string // an operator's credit or refund: why; "" for the pipeline's invoices
}

// ClosedWindowSpan is an account's closed windows of one billing: the first
// and last start, and how many.
type ClosedWindowSpan struct {
	AccountID string        `db:"account_id"`
	Billing   string        `db:"billing"`
	First     calendar.Date `db:"first_start"`
	Last      calendar.Date `db:"last_start"`
	Count     int           `db:"windows"`
}

// FirstActivity is an account's first activity date in one billing.
type FirstActivity struct {
	AccountID string        `db:"account_id"`
	Billing   string        `db:"billing"`
	First     calendar.Date `db:"first_date"`
}

// The queries of closing, resolved at start-up.
var (
	closedWindowInsert             = named[claimWindows](billingsql.Query("closed_window_insert"))
	closedWindowSpans              = billingsql.Query("closed_window_spans")
	closedWindowListForAccount     = named[accountBilling](billingsql.Query("closed_window_list_for_account"))
	orderFirstDates                = billingsql.Query("order_first_dates")
	invoiceAccountsWithAnniversary = billingsql.Query("invoice_accounts_with_anniversary")
	invoiceSeriesTake              = named[seriesTake](billingsql.Query("invoice_series_take"))
	invoiceInsertMany              = named[invoiceColumns](billingsql.Query("invoice_insert_many"))
)

// The parameters of closing's queries.
type (
	claimWindows struct {
		Accounts   []string `db:"accounts"`
		Billings   []string `db:"billings"`
		Starts     []string `db:"starts"`
		Ends       []string `db:"ends"`
		Closes     []string `db:"closes"`
		RunID      int64    `db:"run_id"`
		OrdersSeen string   `db:"orders_seen"`
		UsageSeen  string   `db:"usage_seen"`
	}
	accountBilling struct {
		AccountID string `db:"account_id"`
		Billing   string `db:"billing"`
	}
	seriesTake struct {
		Series string `db:"series"`
		N      int64  `db:"n"`
	}
	// invoiceColumns are invoices by column, one per position.
	invoiceColumns struct {
		Numbers      []string `db:"numbers"`
		Series       []string `db:"series"`
		Seqs         []int64  `db:"seqs"`
		Accounts     []string `db:"accounts"`
		Types        []string `db:"types"`
		Billings     []string `db:"billings"`
		Currencies   []string `db:"currencies"`
		WindowStarts []string `db:"window_starts"`
		WindowEnds   []string `db:"window_ends"`
		IssueDates   []string `db:"issue_dates"`
		TaxRates     []string `db:"tax_rates"`
		Subtotals    []string `db:"subtotals"`
		Taxes        []string `db:"taxes"`
		Totals       []string `db:"totals"`
		Adjusts      []string `db:"adjusts"`
		Reasons      []string `db:"reasons"`
		RunID        int64    `db:"run_id"`
		Terms        int      `db:"terms"`
	}
)

// FirstActivities lists each account's first activity date per billing:
// its windows start there.
func FirstActivities(ctx context.Context, q Queryer) ([]FirstActivity, error) {
	var out []FirstActivity
	err := sqlx.SelectContext(ctx, q.ext(), &out, orderFirstDates)
	return out, err
}

// ClosedWindowSpans lists each account's closed windows per billing.
func ClosedWindowSpans(ctx context.Context, q Queryer) ([]ClosedWindowSpan, error) {
	var out []ClosedWindowSpan
	err := sqlx.SelectContext(ctx, q.ext(), &out, closedWindowSpans)
	return out, err
}

// ClosedWindowStarts lists the first days of an account's closed windows of
// one billing.
func ClosedWindowStarts(ctx context.Context, q Queryer, accountID, billing string) ([]calendar.Date, error) {
	var out []calendar.Date
	err := closedWindowListForAccount.sel(ctx, q.ext(), &out, accountBilling{accountID, billing})
	return out, err
}

// ClaimWindows marks windows closed, with the snapshots (pg_snapshot text)
// their orders and usage were read in, and returns those it claimed: a
// window already closed is left out.
func ClaimWindows(ctx context.Context, tx *Tx, windows []WindowClaim, ordersSeen, usageSeen string, runID int64) ([]ClaimedWindow, error) {
	p := claimWindows{RunID: runID, OrdersSeen: ordersSeen, UsageSeen: usageSeen}
	for _, w := range windows {
		p.Accounts, p.Billings = append(p.Accounts, w.AccountID), append(p.Billings, string(w.Billing))
		p.Starts, p.Ends, p.Closes = append(p.Starts, w.Start.String()), append(p.Ends, w.End.String()), append(p.Closes, w.Closes.String())
	}
	var out []ClaimedWindow
	err := closedWindowInsert.sel(ctx, tx.x, &out, p)
	return out, err
}

// AccountsWithAnniversary returns which of the accounts already have an
// anniversary invoice.
func AccountsWithAnniversary(ctx context.Context, q Queryer, accountIDs []string) ([]string, error) {
	var out []string
	err := sqlx.SelectContext(ctx, q.ext(), &out, invoiceAccountsWithAnniversary, pq.Array(accountIDs))
	return out, err
}

// TakeInvoiceNumbers takes the next n numbers of a series and returns the
// last of them, under a row lock held until the transaction ends: a rollback
// gives them back, so numbers stay gap-free (§6).
func TakeInvoiceNumbers(ctx context.Context, tx *Tx, series string, n int64) (int64, error) {
	var last int64
	err := invoiceSeriesTake.get(ctx, tx.x, &last, seriesTake{series, n})
	return last, err
}

// InsertInvoices stores numbered invoices and their lines: one statement
// for the invoices, one for all their lines. Each with a total above zero
// is given its due date (§13): its account's payment terms after its issue
// date, or terms days for an account without.
func InsertInvoices(ctx context.Context, tx *Tx, invoices []NewInvoice, runID int64, terms int) error {
	n := len(invoices)
	if n == 0 {
		return nil
	}
	p := invoiceColumns{RunID: runID, Terms: terms}
	lines := 0
	for _, inv := range invoices {
		p.Numbers, p.Series, p.Seqs = append(p.Numbers, inv.Number), append(p.Series, inv.Series), append(p.Seqs, inv.Seq)
		p.Accounts, p.Types = append(p.Accounts, inv.AccountID), append(p.Types, string(inv.Type))
		p.Billings, p.Currencies = append(p.Billings, string(inv.Billing)), append(p.Currencies, string(inv.Currency))
		p.WindowStarts, p.WindowEnds = append(p.WindowStarts, inv.Window.Start.String()), append(p.WindowEnds, inv.Window.End.String())
		p.IssueDates, p.TaxRates = append(p.IssueDates, inv.IssueDate.String()), append(p.TaxRates, inv.TaxRate.String())
		p.Subtotals, p.Taxes, p.Totals = append(p.Subtotals, inv.Subtotal.String()), append(p.Taxes, inv.Tax.String()), append(p.Totals, inv.Total.String())
		p.Adjusts, p.Reasons = append(p.Adjusts, inv.Adjusts), append(p.Reasons, inv.Reason)
		lines += len(inv.Lines)
	}
	first, last := invoices[0].Number, invoices[n-1].Number
	if _, err := invoiceInsertMany.exec(ctx, tx.x, p); err != nil {
		return fmt.Errorf("storing invoices %s to %s: %w", first, last, err)
	}
	if err := insertLines(ctx, tx, invoices, lines); err != nil {
		return fmt.Errorf("storing the lines of invoices %s to %s: %w", first, last, err)
	}
	return nil
}

// insertLines writes the lines of numbered invoices with one COPY: the
// statement that costs least per line, in the batch's transaction.
func insertLines(ctx context.Context, tx *Tx, invoices []NewInvoice, n int) error {
	if n == 0 {
		return nil
	}
	stmt, err := tx.x.PrepareContext(ctx, `COPY invoice_lines (invoice_number, line_no, customer_id, subscription_id, order_id, sku, charge_type,
		charge_start, charge_end, activity_date, unit_price, effective_unit_price, quantity, amount, tax, total,
		days_charged, term_days, detail, reversal) FROM STDIN`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, inv := range invoices {
		for j, l := range inv.Lines {
			if _, err := stmt.ExecContext(ctx, inv.Number, j+1, l.CustomerID, nullIfZero(l.SubscriptionID), nullIfZero(l.OrderID), l.SKU,
				string(l.ChargeType), l.ChargeStart.String(), l.ChargeEnd.String(), l.ActivityDate.String(), l.UnitPrice.String(),
				l.EffectiveUnitPrice.String(), l.Quantity.String(), l.Amount.String(), l.Tax.String(), l.Total.String(),
				nullIfZero(l.DaysCharged), nullIfZero(l.TermDays), nullIfZero(l.Detail), l.Reversal); err != nil {
				return err
			}
		}
	}
	_, err = stmt.ExecContext(ctx)
	return err
}

// nullIfZero is NULL for a zero value (an empty text, a zero count).
func nullIfZero[T comparable](v T) any {
	var zero T
	if v == zero {
		return nil
	}
	return v
}
