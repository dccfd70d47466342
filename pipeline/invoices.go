package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/pipeline/calendar"
	"github.com/openbilling/billing/pipeline/charges"
	"github.com/openbilling/billing/pipeline/money"
	billingsql "github.com/openbilling/billing/sql"
)

// Invoice is a finalized invoice as SPEC §10's JSON contract shows it.
type Invoice struct {
	Number      string        `json:"number" db:"number"`
	AccountID   string        `json:"account_id" db:"account_id"`
	Type        string        `json:"type" db:"type"`
	Billing     string        `json:"billing" db:"billing"`
	Currency    string        `json:"currency" db:"currency"`
	WindowStart calendar.Date `json:"window_start" db:"window_start"`
	WindowEnd   calendar.Date `json:"window_end" db:"window_end"`
	IssueDate   calendar.Date `json:"issue_date" db:"issue_date"`
	Subtotal    string        `json:"subtotal" db:"subtotal"`
	Tax         string        `json:"tax" db:"tax"`
	Total       string        `json:"total" db:"total"`
	Adjusts     *string       `json:"adjusts" db:"adjusts"`
	Files       *Files        `json:"files" db:"-"`
	Lines       []InvoiceLine `json:"lines,omitempty" db:"-"`
	TaxRate     string        `json:"-" db:"tax_rate"`
	LineCount   int           `json:"-" db:"line_count"`
}

// Files are the paths of an invoice's generated files.
type Files struct {
	Reconciliation string `json:"reconciliation"`
	Invoice        string `json:"invoice"`
}

// InvoiceLine is one line of an invoice as the JSON contract shows it, with
// the fields that let a line be checked by hand.
type InvoiceLine struct {
	CustomerID         string         `json:"customer_id" db:"customer_id"`
	SubscriptionID     *string        `json:"subscription_id" db:"subscription_id"`
	OrderID            *string        `json:"order_id" db:"order_id"`
	SKU                string         `json:"sku" db:"sku"`
	ChargeType         string         `json:"charge_type" db:"charge_type"`
	ChargeStart        calendar.Date  `json:"charge_start" db:"charge_start"`
	ChargeEnd          calendar.Date  `json:"charge_end" db:"charge_end"`
	UnitPrice          string         `json:"unit_price" db:"unit_price"`
	EffectiveUnitPrice string         `json:"effective_unit_price" db:"effective_unit_price"`
	Quantity           string         `json:"quantity" db:"quantity"`
	Amount             string         `json:"amount" db:"amount"`
	Tax                string         `json:"tax" db:"tax"`
	Total              string         `json:"total" db:"total"`
	ActivityDate       calendar.Date  `json:"-" db:"activity_date"`
	DaysCharged        sql.NullInt64  `json:"-" db:"days_charged"`
	TermDays           sql.NullInt64  `json:"-" db:"term_days"`
	Detail             sql.NullString `json:"-" db:"detail"`
	Reversal           bool           `json:"-" db:"reversal"`
}

// ErrNoInvoice is returned for an invoice number that does not exist.
var ErrNoInvoice = errors.New("no such invoice")

// ListInvoices returns the invoices, oldest first, of one account or all
// (accountID empty), without their lines.
func ListInvoices(ctx context.Context, db sqlx.QueryerContext, accountID string) ([]Invoice, error) {
	var out []Invoice
	if err := sqlx.SelectContext(ctx, db, &out, billingsql.Query("invoice_list"), accountID); err != nil {
		return nil, fmt.Errorf("listing invoices: %w", err)
	}
	for i := range out {
		if err := out[i].format(); err != nil {
			return nil, err
		}
	}
	if err := attachFiles(ctx, db, out); err != nil {
		return nil, err
	}
	return out, nil
}

// GetInvoice returns one invoice with its lines.
func GetInvoice(ctx context.Context, db sqlx.QueryerContext, number string) (*Invoice, error) {
	var inv Invoice
	if err := sqlx.GetContext(ctx, db, &inv, billingsql.Query("invoice_get"), number); errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s", ErrNoInvoice, number)
	} else if err != nil {
		return nil, fmt.Errorf("reading invoice %s: %w", number, err)
	}
	if err := sqlx.SelectContext(ctx, db, &inv.Lines, billingsql.Query("invoice_line_list"), number); err != nil {
		return nil, fmt.Errorf("reading lines of invoice %s: %w", number, err)
	}
	if err := inv.format(); err != nil {
		return nil, err
	}
	list := []Invoice{inv}
	if err := attachFiles(ctx, db, list); err != nil {
		return nil, err
	}
	return &list[0], nil
}

// format writes the money of an invoice with its currency's decimals (SPEC §5).
// A stored amount that is not a decimal is an error, never a panic.
func (inv *Invoice) format() error {
	c := money.Currency(inv.Currency)
	var err error
	fix := func(s *string, atLeast bool) {
		if err != nil {
			return
		}
		d, perr := decimal.NewFromString(*s)
		if perr != nil {
			err = fmt.Errorf("invoice %s: stored amount %q: %w", inv.Number, *s, perr)
			return
		}
		places := c.MinorUnits()
		if exp := -d.Exponent(); atLeast && exp > places {
			places = exp // a price shows its own decimals: 0.0125
		}
		*s = d.StringFixed(places)
	}
	fix(&inv.Subtotal, false)
	fix(&inv.Tax, false)
	fix(&inv.Total, false)
	for i := range inv.Lines {
		l := &inv.Lines[i]
		fix(&l.UnitPrice, true)
		fix(&l.EffectiveUnitPrice, true)
		fix(&l.Amount, false)
		fix(&l.Tax, false)
		fix(&l.Total, false)
	}
	return err
}

func attachFiles(ctx context.Context, db sqlx.QueryerContext, invoices []Invoice) error {
	if len(invoices) == 0 {
		return nil
	}
	numbers := make([]string, len(invoices))
	at := map[string]int{}
	for i, inv := range invoices {
		numbers[i] = inv.Number
		at[inv.Number] = i
	}
	var files []struct {
		Number string `db:"invoice_number"`
		Kind   string `db:"kind"`
		Path   string `db:"path"`
		SHA    string `db:"sha256"`
	}
	if err := sqlx.SelectContext(ctx, db, &files, billingsql.Query("invoice_file_list"), pq.Array(numbers)); err != nil {
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
		}
	}
	return nil
}

// chargeLine turns a stored line back into a charge line, for reruns.
func (l InvoiceLine) chargeLine() (charges.Line, error) {
	out := charges.Line{
		CustomerID: l.CustomerID, SKU: l.SKU, ChargeType: charges.ChargeType(l.ChargeType),
		ChargeStart: l.ChargeStart, ChargeEnd: l.ChargeEnd, ActivityDate: l.ActivityDate,
		DaysCharged: int(l.DaysCharged.Int64), TermDays: int(l.TermDays.Int64), Detail: l.Detail.String, Reversal: l.Reversal,
	}
	for _, f := range []struct {
		dst  *decimal.Decimal
		text string
	}{{&out.UnitPrice, l.UnitPrice}, {&out.EffectiveUnitPrice, l.EffectiveUnitPrice}, {&out.Quantity, l.Quantity}, {&out.Amount, l.Amount}} {
		d, err := decimal.NewFromString(f.text)
		if err != nil {
			return out, fmt.Errorf("stored amount %q: %w", f.text, err)
		}
		*f.dst = d
	}
	if l.SubscriptionID != nil {
		out.SubscriptionID = *l.SubscriptionID
	}
	if l.OrderID != nil {
		out.OrderID = *l.OrderID
	}
	return out, nil
}
