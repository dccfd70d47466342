package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/pipeline/calendar"
	billingsql "github.com/openbilling/billing/sql"
)

// Invoice is a finalized invoice as stored (SPEC §6).
type Invoice struct {
	Number      string          `db:"number"`
	AccountID   string          `db:"account_id"`
	Type        string          `db:"type"`
	Billing     string          `db:"billing"`
	Currency    string          `db:"currency"`
	WindowStart calendar.Date   `db:"window_start"`
	WindowEnd   calendar.Date   `db:"window_end"`
	IssueDate   calendar.Date   `db:"issue_date"`
	TaxRate     decimal.Decimal `db:"tax_rate"`
	Subtotal    decimal.Decimal `db:"subtotal"`
	Tax         decimal.Decimal `db:"tax"`
	Total       decimal.Decimal `db:"total"`
	Adjusts     *string         `db:"adjusts"`
	LineCount   int             `db:"line_count"`
}

// InvoiceLine is one line of a finalized invoice as stored.
type InvoiceLine struct {
	CustomerID         string          `db:"customer_id"`
	SubscriptionID     *string         `db:"subscription_id"`
	OrderID            *string         `db:"order_id"`
	SKU                string          `db:"sku"`
	ChargeType         string          `db:"charge_type"`
	ChargeStart        calendar.Date   `db:"charge_start"`
	ChargeEnd          calendar.Date   `db:"charge_end"`
	ActivityDate       calendar.Date   `db:"activity_date"`
	UnitPrice          decimal.Decimal `db:"unit_price"`
	EffectiveUnitPrice decimal.Decimal `db:"effective_unit_price"`
	Quantity           decimal.Decimal `db:"quantity"`
	Amount             decimal.Decimal `db:"amount"`
	Tax                decimal.Decimal `db:"tax"`
	Total              decimal.Decimal `db:"total"`
	DaysCharged        sql.NullInt64   `db:"days_charged"`
	TermDays           sql.NullInt64   `db:"term_days"`
	Detail             sql.NullString  `db:"detail"`
	Reversal           bool            `db:"reversal"`
}

// InvoiceFile is a recorded file of an invoice.
type InvoiceFile struct {
	Number string `db:"invoice_number"`
	Kind   string `db:"kind"`
	Path   string `db:"path"`
	SHA256 string `db:"sha256"`
}

// The queries of invoices, resolved at start-up.
var (
	invoiceList     = billingsql.Query("invoice_list")
	invoiceGet      = billingsql.Query("invoice_get")
	invoiceLineList = billingsql.Query("invoice_line_list")
	invoiceFileList = billingsql.Query("invoice_file_list")
)

// ListInvoices returns the invoices, oldest first, of one account or of all
// (accountID empty).
func ListInvoices(ctx context.Context, q sqlx.QueryerContext, accountID string) ([]Invoice, error) {
	var out []Invoice
	err := sqlx.SelectContext(ctx, q, &out, invoiceList, accountID)
	return out, err
}

// GetInvoice returns one invoice; found is false when there is none.
func GetInvoice(ctx context.Context, q sqlx.QueryerContext, number string) (inv Invoice, found bool, err error) {
	err = sqlx.GetContext(ctx, q, &inv, invoiceGet, number)
	if errors.Is(err, sql.ErrNoRows) {
		return inv, false, nil
	}
	return inv, err == nil, err
}

// InvoiceLines returns an invoice's lines in invoice order.
func InvoiceLines(ctx context.Context, q sqlx.QueryerContext, number string) ([]InvoiceLine, error) {
	var out []InvoiceLine
	err := sqlx.SelectContext(ctx, q, &out, invoiceLineList, number)
	return out, err
}

// InvoiceFiles returns the recorded files of some invoices.
func InvoiceFiles(ctx context.Context, q sqlx.QueryerContext, numbers []string) ([]InvoiceFile, error) {
	var out []InvoiceFile
	err := sqlx.SelectContext(ctx, q, &out, invoiceFileList, pq.Array(numbers))
	return out, err
}
