package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/payments/ledger"
	"github.com/openbilling/billing/pipeline/money"
	billingsql "github.com/openbilling/billing/sql"
)

// The ledger's reads and writes (SPEC §9); what they mean is the ledger
// package's.
var (
	ledgerCredits              = billingsql.Query("ledger_credits")
	ledgerOpenInvoices         = billingsql.Query("ledger_open_invoices")
	ledgerAllocationInsertMany = billingsql.Query("ledger_allocation_insert_many")
	ledgerPaymentInsert        = billingsql.Query("ledger_payment_insert")
	ledgerBalances             = billingsql.Query("ledger_balances")
)

// Credit is a payment or credit of an account that still holds money to allocate.
type Credit struct {
	AccountID string `db:"account_id"`
	Currency  string `db:"currency"`
	ledger.Source
}

// Credits lists the payments and credits of the accounts that still hold
// something to allocate, by account and currency, in the order they arrived.
func Credits(ctx context.Context, q sqlx.QueryerContext, accountIDs []string) ([]Credit, error) {
	var out []Credit
	err := sqlx.SelectContext(ctx, q, &out, ledgerCredits, pq.Array(accountIDs))
	return out, err
}

// OpenInvoices lists an account's invoices in one currency with something
// still due, oldest first.
func OpenInvoices(ctx context.Context, q sqlx.QueryerContext, accountID, currency string) ([]ledger.Invoice, error) {
	var out []ledger.Invoice
	err := sqlx.SelectContext(ctx, q, &out, ledgerOpenInvoices, accountID, currency)
	return out, err
}

// InsertAllocations adds allocations of an account's payments and credits
// in one currency to its invoices.
func InsertAllocations(ctx context.Context, q sqlx.ExecerContext, accountID, currency string, allocations []ledger.Allocation) error {
	if len(allocations) == 0 {
		return nil
	}
	n := len(allocations)
	invoices, payments, credits, amounts := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, a := range allocations {
		invoices[i], payments[i], credits[i], amounts[i] = a.Invoice, a.PaymentID, a.CreditNumber, money.Format(a.Amount, money.Currency(currency))
	}
	_, err := q.ExecContext(ctx, ledgerAllocationInsertMany, accountID, currency,
		pq.Array(invoices), pq.Array(payments), pq.Array(credits), pq.Array(amounts))
	return err
}

// Payment is a payment received (SPEC §9).
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

// InsertPayment records a payment received and its ledger entry.
func InsertPayment(ctx context.Context, q sqlx.ExecerContext, p Payment) error {
	_, err := q.ExecContext(ctx, ledgerPaymentInsert, p.PaymentID, p.AccountID, p.Currency, money.Format(p.Amount, money.Currency(p.Currency)),
		p.Method, p.MethodLabel, p.GatewayReference, p.PaidAt)
	return err
}

// Balance is an account's balance in one currency, what its invoices
// still owe, and how many are open.
type Balance struct {
	Currency     string          `db:"currency"`
	Balance      decimal.Decimal `db:"balance"`
	Due          decimal.Decimal `db:"due"`
	OpenInvoices int             `db:"open_invoices"`
}

// Balances returns an account's balances from its ledger, by currency.
func Balances(ctx context.Context, q sqlx.QueryerContext, accountID string) ([]Balance, error) {
	var out []Balance
	err := sqlx.SelectContext(ctx, q, &out, ledgerBalances, accountID)
	return out, err
}
