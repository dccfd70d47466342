package store

import (
	"context"
	"database/sql"
	"errors"
	"math"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/openbilling/billing/invoicing"
	billingsql "github.com/openbilling/billing/sql"
)

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
	invoiceFileList = billingsql.Query("invoice_file_list")
)

// ListInvoices returns the invoices, oldest first, of one account or of all
// (accountID empty).
func ListInvoices(ctx context.Context, q Queryer, accountID string) ([]invoicing.Issued, error) {
	var out []invoicing.Issued
	err := sqlx.SelectContext(ctx, q.ext(), &out, invoiceList, accountID)
	return out, err
}

// GetInvoice returns one invoice; found is false when there is none.
func GetInvoice(ctx context.Context, q Queryer, number string) (inv invoicing.Issued, found bool, err error) {
	err = sqlx.GetContext(ctx, q.ext(), &inv, invoiceGet, number)
	if errors.Is(err, sql.ErrNoRows) {
		return inv, false, nil
	}
	return inv, err == nil, err
}

// InvoiceLines returns an invoice's lines in invoice order.
func InvoiceLines(ctx context.Context, q Queryer, number string) ([]invoicing.IssuedLine, error) {
	return InvoiceLinePage(ctx, q, number, 1, math.MaxInt32)
}

// InvoiceFiles returns the recorded files of some invoices.
func InvoiceFiles(ctx context.Context, q Queryer, numbers []string) ([]InvoiceFile, error) {
	var out []InvoiceFile
	err := sqlx.SelectContext(ctx, q.ext(), &out, invoiceFileList, pq.Array(numbers))
	return out, err
}
