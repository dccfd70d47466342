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
	Number      string
	AccountID   string
	AccountName string // read only where documents need it
	Type        string
	Billing     string
	Currency    money.Currency
	WindowStart calendar.Date
	WindowEnd   calendar.Date
	IssueDate   calendar.Date
	TaxRate     decimal.Decimal
	Subtotal    decimal.Decimal
	Tax         decimal.Decimal
	Total       decimal.Decimal
	Adjusts     string         // the invoice an adjustment corrects, or ""
	DueDate     *calendar.Date // when it is to be paid (§13); nil for a total of zero or below
	LineCount   int
	Allocated   decimal.Decimal // what payments and credits have paid of it (§9)
	Locale      string          // the language of its documents, kept when it was finalized; "" is English
}

// IssuedLine is one line of a finalized invoice as stored, with the names
// its documents show (read only where documents need them).
type IssuedLine struct {
	InvoiceNumber string
	Line
	CustomerName    string
	CustomerCountry string
	ProductName     string
}
