package invoicing

import (
	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/money"
)

// Issued is a finalized invoice as stored (§6): numbered, never
// changed again. The store reads it, the documents and the JSON contract
// show it.
type Issued struct {
	Number      string          `db:"number"`
	AccountID   string          `db:"account_id"`
	AccountName string          `db:"account_name"` // read only where documents need it
	Type        string          `db:"type"`
	Billing     string          `db:"billing"`
	Currency    money.Currency  `db:"currency"`
	WindowStart calendar.Date   `db:"window_start"`
	WindowEnd   calendar.Date   `db:"window_end"`
	IssueDate   calendar.Date   `db:"issue_date"`
	TaxRate     decimal.Decimal `db:"tax_rate"`
	Subtotal    decimal.Decimal `db:"subtotal"`
	Tax         decimal.Decimal `db:"tax"`
	Total       decimal.Decimal `db:"total"`
	Adjusts     string          `db:"adjusts"`  // the invoice an adjustment corrects, or ""
	DueDate     *calendar.Date  `db:"due_date"` // when it is to be paid (§13); nil for a total of zero or below
	LineCount   int             `db:"line_count"`
	Allocated   decimal.Decimal `db:"allocated"` // what payments and credits have paid of it (§9)
}

// IssuedLine is one line of a finalized invoice as stored, with the names
// its documents show (read only where documents need them).
type IssuedLine struct {
	InvoiceNumber string `db:"invoice_number"`
	Line
	CustomerName    string `db:"customer_name"`
	CustomerCountry string `db:"customer_country"`
	ProductName     string `db:"product_name"`
}
