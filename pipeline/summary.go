package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	billingsql "github.com/openbilling/billing/sql"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/pipeline/calendar"
	"github.com/openbilling/billing/pipeline/money"
)

// Summary is an account's billing summary (SPEC §9).
type Summary struct {
	AccountID       string         `json:"account_id"`
	Name            string         `json:"name"`
	AsOf            calendar.Date  `json:"as_of"`
	Balances        []Balance      `json:"balances"`
	OpenWindows     []OpenWindow   `json:"open_windows"`
	PaymentMethod   *PaymentMethod `json:"payment_method"`
	LastInvoiceDate *calendar.Date `json:"last_anniversary_invoice_date"`
	NextInvoiceDate calendar.Date  `json:"next_anniversary_invoice_date"`
	RatedAt         *time.Time     `json:"rated_at"`
}

// Balance is an account's position in one currency: its finalized invoices'
// totals (credits negative) minus its payments, and the estimated next
// balance, which adds the open windows' charges so far, before tax.
type Balance struct {
	Currency      money.Currency `json:"currency"`
	Invoiced      string         `json:"invoiced"`
	Paid          string         `json:"paid"`
	Balance       string         `json:"balance"`
	Unbilled      string         `json:"unbilled"`
	EstimatedNext string         `json:"estimated_next_balance"`
}

// OpenWindow is the charges so far of an open window, as last rated.
type OpenWindow struct {
	Billing     string          `json:"billing" db:"billing"`
	WindowStart calendar.Date   `json:"window_start" db:"window_start"`
	WindowEnd   calendar.Date   `json:"window_end" db:"window_end"`
	Currency    money.Currency  `json:"currency" db:"currency"`
	Lines       int             `json:"lines" db:"lines"`
	Subtotal    string          `json:"subtotal" db:"-"`
	Amount      decimal.Decimal `json:"-" db:"subtotal"`
	RatedAt     time.Time       `json:"rated_at" db:"as_of"`
}

// PaymentMethod is the card on file: a gateway token, never a card number.
type PaymentMethod struct {
	Brand  string `json:"brand" db:"brand"`
	Last4  string `json:"last4" db:"last4"`
	Month  int    `json:"expiry_month" db:"expiry_month"`
	Year   int    `json:"expiry_year" db:"expiry_year"`
	Status string `json:"status" db:"status"`
}

// ErrNoAccount is returned for an account id that does not exist.
var ErrNoAccount = errors.New("no account")

// AccountSummary reads an account's summary as of a date.
func AccountSummary(ctx context.Context, db sqlx.QueryerContext, accountID string, asOf calendar.Date) (*Summary, error) {
	a, err := loadAccount(ctx, db, accountID)
	if err != nil {
		return nil, err
	}
	s := &Summary{AccountID: a.ID, Name: a.Name, AsOf: asOf, NextInvoiceDate: a.Days.WindowOf(calendar.BillingAnniversary, asOf).Closes}
	var sums []struct {
		Currency money.Currency  `db:"currency"`
		Invoiced decimal.Decimal `db:"invoiced"`
		Paid     decimal.Decimal `db:"paid"`
		Unbilled decimal.Decimal `db:"unbilled"`
	}
	if err := sqlx.SelectContext(ctx, db, &sums, billingsql.Query("account_balances"), a.ID); err != nil {
		return nil, fmt.Errorf("reading balances of account %s: %w", a.ID, err)
	}
	for _, r := range sums {
		invoiced, paid, unbilled := r.Invoiced, r.Paid, r.Unbilled
		balance := invoiced.Sub(paid)
		c := r.Currency
		s.Balances = append(s.Balances, Balance{Currency: c, Invoiced: money.Format(invoiced, c), Paid: money.Format(paid, c),
			Balance: money.Format(balance, c), Unbilled: money.Format(unbilled, c), EstimatedNext: money.Format(balance.Add(unbilled), c)})
	}
	if err := sqlx.SelectContext(ctx, db, &s.OpenWindows, billingsql.Query("unbilled_charges_list_for_account"), a.ID); err != nil {
		return nil, err
	}
	for i := range s.OpenWindows {
		w := &s.OpenWindows[i]
		w.Subtotal = money.Format(w.Amount, w.Currency)
		if s.RatedAt == nil || w.RatedAt.After(*s.RatedAt) {
			s.RatedAt = &w.RatedAt
		}
	}
	var pm PaymentMethod
	if err := sqlx.GetContext(ctx, db, &pm, billingsql.Query("payment_method_get"), a.ID); err == nil {
		s.PaymentMethod = &pm
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	var last sql.Null[calendar.Date]
	if err := sqlx.GetContext(ctx, db, &last, billingsql.Query("invoice_last_anniversary_date"), a.ID); err != nil {
		return nil, err
	}
	if last.Valid {
		s.LastInvoiceDate = &last.V
	}
	return s, nil
}
