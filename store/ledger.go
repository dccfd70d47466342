package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/ledger"
	"github.com/openbilling/billing/money"
	billingsql "github.com/openbilling/billing/sql"
)

// The ledger's reads and writes (§9); what they mean is the ledger
// package's.
var (
	ledgerCredits           = billingsql.Query("ledger_credits")
	ledgerOpenInvoicesMany  = billingsql.Query("ledger_open_invoices_many")
	ledgerAllocationInsert  = named[allocationColumns](billingsql.Query("ledger_allocation_insert_accounts"))
	ledgerPaymentInsertMany = named[paymentColumns](billingsql.Query("ledger_payment_insert_many"))
)

// Credit is a payment or credit of an account that still holds money to allocate.
type Credit struct {
	AccountID string `db:"account_id"`
	Currency  string `db:"currency"`
	ledger.Source
}

// Credits lists the payments and credits of the accounts that still hold
// something to allocate, by account and currency, in the order they arrived.
func Credits(ctx context.Context, q Queryer, accountIDs []string) ([]Credit, error) {
	var out []Credit
	err := sqlx.SelectContext(ctx, q.ext(), &out, ledgerCredits, pq.Array(accountIDs))
	return out, err
}

// OpenInvoice is an invoice with something due, with its account and currency.
type OpenInvoice struct {
	AccountID string         `db:"account_id"`
	Currency  string         `db:"currency"`
	DueDate   *calendar.Date `db:"due_date"` // nil for an invoice without one (§13)
	ledger.Invoice
}

// OpenInvoicesOf lists the accounts' invoices with something still due, by
// account and currency, oldest first.
func OpenInvoicesOf(ctx context.Context, q Queryer, accountIDs []string) ([]OpenInvoice, error) {
	var out []OpenInvoice
	err := sqlx.SelectContext(ctx, q.ext(), &out, ledgerOpenInvoicesMany, pq.Array(accountIDs))
	return out, err
}

// AccountAllocation is an allocation with its account and currency.
type AccountAllocation struct {
	AccountID, Currency string
	ledger.Allocation
}

// InsertAllocations adds allocations of accounts' payments and credits to
// their invoices, in one statement.
func InsertAllocations(ctx context.Context, q Queryer, allocations []AccountAllocation) error {
	if len(allocations) == 0 {
		return nil
	}
	n := len(allocations)
	accounts, currencies, invoices, payments, credits, amounts := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, a := range allocations {
		accounts[i], currencies[i], invoices[i], payments[i], credits[i] = a.AccountID, a.Currency, a.Invoice, a.PaymentID, a.CreditNumber
		amounts[i] = money.Format(a.Amount, money.Currency(a.Currency))
	}
	_, err := ledgerAllocationInsert.exec(ctx, q.ext(), allocationColumns{accounts, currencies, invoices, payments, credits, amounts})
	return err
}

// Payment is a payment received (§9).
type Payment struct {
	PaymentID        string          `db:"payment_id"`
	AccountID        string          `db:"account_id"`
	Currency         string          `db:"currency"`
	Amount           decimal.Decimal `db:"amount"`
	Method           string          `db:"method"` // card_on_file, card or paypal
	MethodLabel      string          `db:"method_label"`
	GatewayReference string          `db:"gateway_reference"`
	PaidAt           time.Time       `db:"paid_at"`
}

// InsertPayments records payments received, all paid at paidAt, and their
// ledger entries, in one statement.
func InsertPayments(ctx context.Context, q Queryer, payments []Payment, paidAt time.Time) error {
	if len(payments) == 0 {
		return nil
	}
	n := len(payments)
	ids, accounts, currencies, amounts, methods, labels, refs := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, p := range payments {
		ids[i], accounts[i], currencies[i], methods[i], labels[i], refs[i] = p.PaymentID, p.AccountID, p.Currency, p.Method, p.MethodLabel, p.GatewayReference
		amounts[i] = money.Format(p.Amount, money.Currency(p.Currency))
	}
	_, err := ledgerPaymentInsertMany.exec(ctx, q.ext(), paymentColumns{ids, accounts, currencies, amounts, methods, labels, refs, paidAt})
	return err
}

// allocationColumns are the parameters of ledger_allocation_insert_accounts.
type allocationColumns struct {
	Accounts   []string `db:"accounts"`
	Currencies []string `db:"currencies"`
	Invoices   []string `db:"invoice_numbers"`
	Payments   []string `db:"payment_ids"`
	Credits    []string `db:"credit_numbers"`
	Amounts    []string `db:"amounts"`
}

// paymentColumns are the parameters of ledger_payment_insert_many.
type paymentColumns struct {
	IDs        []string  `db:"payment_ids"`
	Accounts   []string  `db:"accounts"`
	Currencies []string  `db:"currencies"`
	Amounts    []string  `db:"amounts"`
	Methods    []string  `db:"methods"`
	Labels     []string  `db:"method_labels"`
	Refs       []string  `db:"gateway_references"`
	PaidAt     time.Time `db:"paid_at"`
}
