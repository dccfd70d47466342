// Package invoices is the read model of finalized invoices: the JSON
// contract of §10 that billing invoices --json and the portal's API
// show, read from the store, with the paths of each invoice's files.
package invoices

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/invoicing"
	"github.com/openbilling/billing/ledger"
	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/store"
)

// Invoice is a finalized invoice as §10's JSON contract shows it:
// amounts with their currency's decimals.
type Invoice struct {
	Number      string         `json:"number"`
	AccountID   string         `json:"account_id"`
	Type        string         `json:"type"`
	Billing     string         `json:"billing"`
	Currency    string         `json:"currency"`
	WindowStart calendar.Date  `json:"window_start"`
	WindowEnd   calendar.Date  `json:"window_end"`
	IssueDate   calendar.Date  `json:"issue_date"`
	Subtotal    string         `json:"subtotal"`
	Tax         string         `json:"tax"`
	Total       string         `json:"total"`
	Adjusts     *string        `json:"adjusts"`
	AmountDue   string         `json:"amount_due"`
	Status      string         `json:"payment_status"`
	DueDate     *calendar.Date `json:"due_date"` // null for a total of zero or below (§13)
	Files       *Files         `json:"files"`
	Lines       []InvoiceLine  `json:"lines,omitempty"`
	LineCount   int            `json:"-"`
}

// Files are the paths of an invoice's generated files.
type Files struct {
	Reconciliation string `json:"reconciliation"`
	Invoice        string `json:"invoice"`
	PDF            string `json:"pdf"`
}

// InvoiceLine is one line of an invoice as the JSON contract shows it, with
// the fields that let a line be checked by hand.
type InvoiceLine struct {
	CustomerID         string        `json:"customer_id"`
	SubscriptionID     *string       `json:"subscription_id"`
	OrderID            *string       `json:"order_id"`
	SKU                string        `json:"sku"`
	ChargeType         string        `json:"charge_type"`
	ChargeStart        calendar.Date `json:"charge_start"`
	ChargeEnd          calendar.Date `json:"charge_end"`
	UnitPrice          string        `json:"unit_price"`
	EffectiveUnitPrice string        `json:"effective_unit_price"`
	Quantity           string        `json:"quantity"`
	Amount             string        `json:"amount"`
	Tax                string        `json:"tax"`
	Total              string        `json:"total"`
	ActivityDate       calendar.Date `json:"-"`
	Reversal           bool          `json:"-"`
	DaysCharged        int           `json:"-"` // of TermDays, for a prorated line (§4)
	TermDays           int           `json:"-"`
	Detail             string        `json:"-"` // the tier breakdown of a usage line
}

// File kinds, as stored in invoice_files and shown in the JSON contract:
// the reconciliation spreadsheet, the invoice spreadsheet and the PDF
// invoice (§8).
const (
	KindReconciliation = "reconciliation"
	KindInvoice        = "invoice"
	KindPDF            = "pdf"
)

// FileKinds are the files every invoice has, in the order they are written.
var FileKinds = []string{KindReconciliation, KindInvoice, KindPDF}

// Filter chooses a page of invoices (the portal's list).
type Filter = store.InvoiceFilter

// Facet is a status or currency the invoices of an account have, with how many.
type Facet = store.InvoiceFacet

// File is a recorded file of an invoice.
type File = store.InvoiceFile

// Facets lists the statuses and currencies of an account's invoices.
func Facets(ctx context.Context, db store.Queryer, accountID string) ([]Facet, error) {
	return store.InvoiceFacets(ctx, db, accountID)
}

// MonthFiles lists the files of an account's invoices issued in the month
// beginning first (finance's monthly download).
func MonthFiles(ctx context.Context, db store.Queryer, accountID string, first calendar.Date) ([]File, error) {
	return store.MonthFiles(ctx, db, accountID, first)
}

// Overdue reports whether the invoice is overdue on d (§13).
func (inv Invoice) Overdue(d calendar.Date) bool {
	due, err := decimal.NewFromString(inv.AmountDue)
	return err == nil && ledger.Overdue(inv.DueDate, due, d)
}

// ErrNoInvoice is returned for an invoice number that does not exist.
var ErrNoInvoice = errors.New("no such invoice")

// ListInvoices returns the invoices, oldest first, of one account or all
// (accountID empty), without their lines.
func ListInvoices(ctx context.Context, db store.Queryer, accountID string) ([]Invoice, error) {
	rows, err := store.ListInvoices(ctx, db, accountID)
	if err != nil {
		return nil, fmt.Errorf("listing invoices: %w", err)
	}
	out := make([]Invoice, len(rows))
	for i, r := range rows {
		out[i] = contractInvoice(r)
	}
	if err := attachFiles(ctx, db, out); err != nil {
		return nil, err
	}
	return out, nil
}

// GetInvoice returns one invoice with its lines.
func GetInvoice(ctx context.Context, db store.Queryer, number string) (*Invoice, error) {
	inv, err := GetInvoiceHeader(ctx, db, number)
	if err != nil {
		return nil, err
	}
	lines, err := store.InvoiceLines(ctx, db, number)
	if err != nil {
		return nil, fmt.Errorf("reading lines of invoice %s: %w", number, err)
	}
	inv.Lines = contractLines(lines, money.Currency(inv.Currency))
	return inv, nil
}

// GetInvoiceHeader returns one invoice with its files and without its lines.
func GetInvoiceHeader(ctx context.Context, db store.Queryer, number string) (*Invoice, error) {
	row, found, err := store.GetInvoice(ctx, db, number)
	switch {
	case err != nil:
		return nil, fmt.Errorf("reading invoice %s: %w", number, err)
	case !found:
		return nil, fmt.Errorf("%w: %s", ErrNoInvoice, number)
	}
	list := []Invoice{contractInvoice(row)}
	if err := attachFiles(ctx, db, list); err != nil {
		return nil, err
	}
	return &list[0], nil
}

// InvoiceLines returns lines from to through (1 is the first) of an invoice
// in currency c, for a page of a large invoice.
func InvoiceLines(ctx context.Context, db store.Queryer, number string, c money.Currency, from, through int) ([]InvoiceLine, error) {
	lines, err := store.InvoiceLinePage(ctx, db, number, from, through)
	if err != nil {
		return nil, fmt.Errorf("reading lines of invoice %s: %w", number, err)
	}
	return contractLines(lines, c), nil
}

// InvoicePage returns a page of an account's invoices as the contract shows
// them, newest first, and how many match the filter in all.
func InvoicePage(ctx context.Context, db store.Queryer, f Filter) ([]Invoice, int, error) {
	rows, matching, err := store.InvoicePage(ctx, db, f)
	if err != nil {
		return nil, 0, fmt.Errorf("listing the invoices of account %s: %w", f.AccountID, err)
	}
	out := make([]Invoice, len(rows))
	for i, r := range rows {
		out[i] = contractInvoice(r)
	}
	if err := attachFiles(ctx, db, out); err != nil {
		return nil, 0, err
	}
	return out, matching, nil
}

func contractLines(lines []invoicing.IssuedLine, c money.Currency) []InvoiceLine {
	out := make([]InvoiceLine, len(lines))
	for i, l := range lines {
		out[i] = InvoiceLine{
			CustomerID: l.CustomerID, SubscriptionID: orNull(l.SubscriptionID), OrderID: orNull(l.OrderID), SKU: l.SKU, ChargeType: string(l.ChargeType),
			ChargeStart: l.ChargeStart, ChargeEnd: l.ChargeEnd, ActivityDate: l.ActivityDate, Reversal: l.Reversal,
			UnitPrice: atLeast(l.UnitPrice, c), EffectiveUnitPrice: atLeast(l.EffectiveUnitPrice, c), Quantity: asStored(l.Quantity),
			Amount: money.Format(l.Amount, c), Tax: money.Format(l.Tax, c), Total: money.Format(l.Total, c),
			DaysCharged: l.DaysCharged, TermDays: l.TermDays, Detail: l.Detail,
		}
	}
	return out
}

// Header is a stored invoice's header as the contract shows it, with the
// paths of its files by kind (none: null), without its lines.
func Header(r invoicing.Issued, files map[string]string) Invoice {
	inv := contractInvoice(r)
	if len(files) > 0 {
		inv.Files = &Files{Reconciliation: files[KindReconciliation], Invoice: files[KindInvoice], PDF: files[KindPDF]}
	}
	return inv
}

// contractInvoice is a stored invoice's header as the contract shows it
// (§5: amounts with the currency's decimals).
func contractInvoice(r invoicing.Issued) Invoice {
	c := r.Currency
	return Invoice{Number: r.Number, AccountID: r.AccountID, Type: r.Type, Billing: r.Billing, Currency: string(c),
		WindowStart: r.WindowStart, WindowEnd: r.WindowEnd, IssueDate: r.IssueDate,
		Subtotal: money.Format(r.Subtotal, c), Tax: money.Format(r.Tax, c), Total: money.Format(r.Total, c),
		Adjusts: orNull(r.Adjusts), LineCount: r.LineCount,
		AmountDue: money.Format(ledger.Due(r.Total, r.Allocated), c), Status: ledger.Status(r.Total, r.Allocated), DueDate: r.DueDate}
}

// orNull is a text the contract shows as null when empty.
func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// asStored writes a decimal with the digits it was stored with ("2.50"
// stays "2.50").
func asStored(d decimal.Decimal) string {
	if exp := d.Exponent(); exp < 0 {
		return d.StringFixed(-exp)
	}
	return d.String()
}

// atLeast writes a price with at least the currency's decimals, more when
// the price has them: 4 → "4.00", 0.0125 → "0.0125".
func atLeast(d decimal.Decimal, c money.Currency) string {
	places := c.MinorUnits()
	if exp := -d.Exponent(); exp > places {
		places = exp
	}
	return d.StringFixed(places)
}

func attachFiles(ctx context.Context, db store.Queryer, invoices []Invoice) error {
	if len(invoices) == 0 {
		return nil
	}
	numbers := make([]string, len(invoices))
	at := map[string]int{}
	for i, inv := range invoices {
		numbers[i] = inv.Number
		at[inv.Number] = i
	}
	files, err := store.InvoiceFiles(ctx, db, numbers)
	if err != nil {
		return fmt.Errorf("reading invoice files: %w", err)
	}
	for _, f := range files {
		inv := &invoices[at[f.Number]]
		if inv.Files == nil {
			inv.Files = &Files{}
		}
		switch f.Kind {
		case KindReconciliation:
			inv.Files.Reconciliation = f.Path
		case KindInvoice:
			inv.Files.Invoice = f.Path
		case KindPDF:
			inv.Files.PDF = f.Path
		}
	}
	return nil
}
