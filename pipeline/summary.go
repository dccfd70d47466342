package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/ledger"
	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/store"
)

// Summary is an account's billing summary (§9).
type Summary struct {
	AccountID       string         `json:"account_id"`
	Name            string         `json:"name"`
	AsOf            calendar.Date  `json:"as_of"`
	Balances        []Balance      `json:"balances"`
	OpenWindows     []OpenWindow   `json:"open_windows"`
	OpenInvoices    []OpenInvoice  `json:"open_invoices"`
	PaymentMethod   *PaymentMethod `json:"payment_method"`
	LastInvoiceDate *calendar.Date `json:"last_anniversary_invoice_date"`
	NextInvoiceDate calendar.Date  `json:"next_anniversary_invoice_date"`
	RatedAt         *time.Time     `json:"rated_at"`
}

// Balance is an account's position in one currency, from its ledger
// (§9): its finalized invoices' totals (credits negative) minus its payments
// plus money paid back and money disputed (§9.1); what its invoices still owe and the credit no
// invoice has taken yet; and the estimated next balance, which adds the open
// windows' charges so far, before tax.
type Balance struct {
	Currency      money.Currency `json:"currency"`
	Invoiced      string         `json:"invoiced"`
	Paid          string         `json:"paid"`
	PaidBack      string         `json:"paid_back"`
	Disputed      string         `json:"disputed"`
	Balance       string         `json:"balance"`
	Due           string         `json:"amount_due"`
	Credit        string         `json:"unallocated_credit"`
	Unbilled      string         `json:"unbilled"`
	EstimatedNext string         `json:"estimated_next_balance"`
	// Overdue is what the invoices overdue on the summary's date still
	// owe, and OldestOverdue the oldest of them (§13); null when none is.
	Overdue       string  `json:"overdue"`
	OldestOverdue *string `json:"oldest_overdue_invoice"`
}

// OpenWindow is the charges so far of an open window, as last rated.
type OpenWindow struct {
	Billing     string         `json:"billing"`
	WindowStart calendar.Date  `json:"window_start"`
	WindowEnd   calendar.Date  `json:"window_end"`
	Currency    money.Currency `json:"currency"`
	Lines       int            `json:"lines"`
	Subtotal    string         `json:"subtotal"`
	RatedAt     time.Time      `json:"rated_at"`
}

// OpenInvoice is an invoice with something still due, oldest first.
type OpenInvoice struct {
	Number    string         `json:"number"`
	IssueDate calendar.Date  `json:"issue_date"`
	Currency  money.Currency `json:"currency"`
	Total     string         `json:"total"`
	AmountDue string         `json:"amount_due"`
	DueDate   *calendar.Date `json:"due_date"`
	Overdue   bool           `json:"overdue"`
}

// PaymentMethod is the card on file: a gateway token, never a card number.
type PaymentMethod struct {
	Brand  string `json:"brand"`
	Last4  string `json:"last4"`
	Month  int    `json:"expiry_month"`
	Year   int    `json:"expiry_year"`
	Status string `json:"status"`
}

// AccountSummary reads an account's summary as of a date.
func AccountSummary(ctx context.Context, db store.Queryer, accountID string, asOf calendar.Date) (*Summary, error) {
	a, err := loadAccount(ctx, db, accountID)
	if err != nil {
		return nil, err
	}
	s := &Summary{AccountID: a.ID, Name: a.Name, AsOf: asOf, NextInvoiceDate: a.Days.WindowOf(calendar.BillingAnniversary, asOf).Closes}
	sums, err := store.AccountBalances(ctx, db, a.ID)
	if err != nil {
		return nil, fmt.Errorf("reading balances of account %s: %w", a.ID, err)
	}
	for _, r := range sums {
		c := money.Currency(r.Currency)
		balance := r.Invoiced.Sub(r.Paid).Add(r.PaidBack).Add(r.Disputed)
		s.Balances = append(s.Balances, Balance{Currency: c, Invoiced: money.Format(r.Invoiced, c), Paid: money.Format(r.Paid, c),
			PaidBack: money.Format(r.PaidBack, c), Disputed: money.Format(r.Disputed, c), Balance: money.Format(balance, c), Due: money.Format(r.Due, c),
			Credit: money.Format(r.Due.Sub(balance), c), Unbilled: money.Format(r.Unbilled, c), EstimatedNext: money.Format(balance.Add(r.Unbilled), c)})
	}
	owing, err := store.OpenInvoicesOf(ctx, db, []string{a.ID})
	if err != nil {
		return nil, fmt.Errorf("reading open invoices of account %s: %w", a.ID, err)
	}
	s.OpenInvoices = []OpenInvoice{}
	overdue := map[money.Currency]decimal.Decimal{}
	oldest := map[money.Currency]string{}
	for _, inv := range owing {
		c := money.Currency(inv.Currency)
		late := ledger.Overdue(inv.DueDate, inv.Due(), asOf)
		s.OpenInvoices = append(s.OpenInvoices, OpenInvoice{Number: inv.Number, IssueDate: inv.IssueDate, Currency: c,
			Total: money.Format(inv.Total, c), AmountDue: money.Format(inv.Due(), c), DueDate: inv.DueDate, Overdue: late})
		if late {
			overdue[c] = overdue[c].Add(inv.Due())
			if _, seen := oldest[c]; !seen {
				oldest[c] = inv.Number // oldest first: the first is the oldest
			}
		}
	}
	for i := range s.Balances {
		b := &s.Balances[i]
		b.Overdue = money.Format(overdue[b.Currency], b.Currency)
		if n, ok := oldest[b.Currency]; ok {
			b.OldestOverdue = &n
		}
	}
	open, err := store.UnbilledChargesOf(ctx, db, a.ID)
	if err != nil {
		return nil, err
	}
	for _, w := range open {
		c := money.Currency(w.Currency)
		s.OpenWindows = append(s.OpenWindows, OpenWindow{Billing: w.Billing, WindowStart: w.WindowStart, WindowEnd: w.WindowEnd,
			Currency: c, Lines: w.Lines, Subtotal: money.Format(w.Subtotal, c), RatedAt: w.RatedAt})
		if s.RatedAt == nil || w.RatedAt.After(*s.RatedAt) {
			s.RatedAt = &w.RatedAt
		}
	}
	pm, err := store.PaymentMethodOf(ctx, db, a.ID)
	if err != nil {
		return nil, err
	}
	if pm != nil {
		s.PaymentMethod = &PaymentMethod{Brand: pm.Brand, Last4: pm.Last4, Month: pm.ExpMonth, Year: pm.ExpYear, Status: pm.Status}
	}
	last, found, err := store.LastAnniversaryInvoiceDate(ctx, db, a.ID)
	if err != nil {
		return nil, err
	}
	if found {
		s.LastInvoiceDate = &last
	}
	return s, nil
}
