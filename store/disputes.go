package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/money"
	billingsql "github.com/openbilling/billing/sql"
)

// Disputes, the providers' events and the cards the networks update (§9.1).
var (
	paymentByReference         = billingsql.Query("payment_by_reference")
	disputeUpsert              = named[disputeState](billingsql.Query("dispute_upsert"))
	disputeEntries             = billingsql.Query("dispute_entries")
	paymentAllocationsNewest   = billingsql.Query("payment_allocations_newest")
	paymentUsed                = billingsql.Query("payment_used")
	ledgerDisputeInsert        = named[disputeEntryColumns](billingsql.Query("ledger_dispute_insert"))
	disputeList                = billingsql.Query("dispute_list")
	paymentMethodUpdateDetails = named[cardDetails](billingsql.Query("payment_method_update_details"))
	providerEventInsert        = named[newProviderEvent](billingsql.Query("provider_event_insert"))
	providerEventGet           = named[providerEventKey](billingsql.Query("provider_event_get"))
	providerEventProcessed     = named[providerEventOutcome](billingsql.Query("provider_event_processed"))
	providerEventUnprocessed   = named[gatewayLimit](billingsql.Query("provider_event_unprocessed"))
)

// PaymentByReference returns the payment a provider's reference names.
func PaymentByReference(ctx context.Context, q Queryer, reference string) (Payment, bool, error) {
	return getOne[Payment](ctx, q.ext(), paymentByReference, reference)
}

// Dispute is a dispute of a payment, as the provider last told it.
type Dispute struct {
	ID        string          `db:"dispute_id" json:"id"`
	PaymentID string          `db:"payment_id" json:"payment_id"`
	AccountID string          `db:"account_id" json:"account_id"`
	Currency  string          `db:"currency" json:"currency"`
	Amount    decimal.Decimal `db:"amount" json:"amount"`
	Reason    string          `db:"reason" json:"reason"`
	Status    string          `db:"status" json:"status"` // open, won or lost
	OpenedAt  time.Time       `db:"opened_at" json:"opened_at"`
	ClosedAt  *time.Time      `db:"closed_at" json:"closed_at"`
}

// UpsertDispute records a dispute's latest state (a closed one stays
// closed) and returns its status before ("" when new) and after.
func UpsertDispute(ctx context.Context, tx *Tx, d Dispute) (before, after string, err error) {
	var row struct {
		Before string `db:"before"`
		After  string `db:"after"`
	}
	err = disputeUpsert.get(ctx, tx.x, &row, disputeState{d.ID, d.PaymentID, d.AccountID, d.Currency, money.Format(d.Amount, money.Currency(d.Currency)), d.Reason, d.Status})
	return row.Before, row.After, err
}

// DisputeMoved says which of a dispute's money movements the ledger has.
func DisputeMoved(ctx context.Context, q Queryer, id string) (taken, returned bool, err error) {
	var row struct {
		Taken    bool `db:"taken"`
		Returned bool `db:"returned"`
	}
	err = sqlx.GetContext(ctx, q.ext(), &row, disputeEntries, id)
	return row.Taken, row.Returned, err
}

// PaidInvoice is what a payment still pays of an invoice, and the newest
// allocation entry that paid it.
type PaidInvoice struct {
	Number    string          `db:"invoice_number"`
	Allocated decimal.Decimal `db:"allocated"`
	Newest    int64           `db:"newest"`
}

// PaymentAllocations lists what a payment pays of each invoice, newest first.
func PaymentAllocations(ctx context.Context, q Queryer, paymentID string) ([]PaidInvoice, error) {
	var out []PaidInvoice
	err := sqlx.SelectContext(ctx, q.ext(), &out, paymentAllocationsNewest, paymentID)
	return out, err
}

// PaymentUsed is what of a payment is allocated or disputed.
func PaymentUsed(ctx context.Context, q Queryer, paymentID string) (decimal.Decimal, error) {
	var d decimal.Decimal
	err := sqlx.GetContext(ctx, q.ext(), &d, paymentUsed, paymentID)
	return d, err
}

// DisputeEntry is a ledger entry of a dispute: an allocation reversed
// (Kind allocation, a negative Amount, Reverses), the dispute, its reversal.
type DisputeEntry struct {
	AccountID, Currency, Kind string
	Amount                    decimal.Decimal
	InvoiceNumber             string
	PaymentID                 string
	Reverses                  int64
	DisputeID                 string
}

// InsertDisputeEntries writes a dispute's ledger entries in order.
func InsertDisputeEntries(ctx context.Context, tx *Tx, entries []DisputeEntry) error {
	n := len(entries)
	accounts, currencies, kinds, amounts, invoices, payments, ids := make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	reverses := make([]int64, n)
	for i, e := range entries {
		accounts[i], currencies[i], kinds[i], amounts[i] = e.AccountID, e.Currency, e.Kind, money.Format(e.Amount, money.Currency(e.Currency))
		invoices[i], payments[i], reverses[i], ids[i] = e.InvoiceNumber, e.PaymentID, e.Reverses, e.DisputeID
	}
	_, err := ledgerDisputeInsert.exec(ctx, tx.x, disputeEntryColumns{accounts, currencies, kinds, amounts, invoices, payments, reverses, ids})
	return err
}

// Disputes lists the disputes of an account's payments, or of all (accountID empty).
func Disputes(ctx context.Context, q Queryer, accountID string) ([]Dispute, error) {
	var out []Dispute
	err := sqlx.SelectContext(ctx, q.ext(), &out, disputeList, accountID)
	return out, err
}

// UpdateCardDetails records a card's new details from the networks;
// found is false for a token of no card on file.
func UpdateCardDetails(ctx context.Context, q Queryer, token, brand, last4 string, month, year int) (accountID string, found bool, err error) {
	return getNamed[string](ctx, q.ext(), paymentMethodUpdateDetails, cardDetails{token, brand, last4, month, year})
}

// ProviderEvent is a provider's event as kept.
type ProviderEvent struct {
	ID        string `db:"event_id"`
	Type      string `db:"type"`
	Payload   string `db:"payload"`
	Processed bool   `db:"processed"`
	Outcome   string `db:"outcome"`
}

// InsertProviderEvent keeps an event once; inserted is false when it was kept before.
func InsertProviderEvent(ctx context.Context, tx *Tx, gateway, id, typ string, payload []byte) (inserted bool, err error) {
	return affected(providerEventInsert.exec(ctx, tx.x, newProviderEvent{gateway, id, typ, string(payload)}))
}

// ProviderEventByID returns an event kept.
func ProviderEventByID(ctx context.Context, q Queryer, gateway, id string) (ProviderEvent, bool, error) {
	return getNamed[ProviderEvent](ctx, q.ext(), providerEventGet, providerEventKey{gateway, id})
}

// MarkProviderEvent records an event processed, with what it changed.
func MarkProviderEvent(ctx context.Context, q Queryer, gateway, id, outcome string) error {
	_, err := providerEventProcessed.exec(ctx, q.ext(), providerEventOutcome{gateway, id, outcome})
	return err
}

// UnprocessedProviderEvents lists the ids of events kept but not processed, oldest first.
func UnprocessedProviderEvents(ctx context.Context, q Queryer, gateway string, limit int) ([]string, error) {
	var out []string
	err := providerEventUnprocessed.sel(ctx, q.ext(), &out, gatewayLimit{gateway, limit})
	return out, err
}

// providerEventKey are the parameters of provider_event_get.
type providerEventKey struct {
	Gateway string `db:"gateway"`
	ID      string `db:"event_id"`
}

// gatewayLimit are the parameters of provider_event_unprocessed.
type gatewayLimit struct {
	Gateway string `db:"gateway"`
	Limit   int    `db:"limit"`
}

// providerEventOutcome are the parameters of provider_event_processed.
type providerEventOutcome struct {
	Gateway string `db:"gateway"`
	ID      string `db:"event_id"`
	Outcome string `db:"outcome"`
}

// newProviderEvent are the parameters of provider_event_insert.
type newProviderEvent struct {
	Gateway string `db:"gateway"`
	ID      string `db:"event_id"`
	Type    string `db:"type"`
	Payload string `db:"payload"`
}

// cardDetails are the parameters of payment_method_update_details.
type cardDetails struct {
	Token string `db:"gateway_token"`
	Brand string `db:"brand"`
	Last4 string `db:"last4"`
	Month int    `db:"expiry_month"`
	Year  int    `db:"expiry_year"`
}

// disputeState are the parameters of dispute_upsert.
type disputeState struct {
	ID        string `db:"dispute_id"`
	PaymentID string `db:"payment_id"`
	AccountID string `db:"account_id"`
	Currency  string `db:"currency"`
	Amount    string `db:"amount"`
	Reason    string `db:"reason"`
	Status    string `db:"status"`
}

// disputeEntryColumns are the parameters of ledger_dispute_insert.
type disputeEntryColumns struct {
	Accounts   []string `db:"accounts"`
	Currencies []string `db:"currencies"`
	Kinds      []string `db:"kinds"`
	Amounts    []string `db:"amounts"`
	Invoices   []string `db:"invoice_numbers"`
	Payments   []string `db:"payment_ids"`
	Reverses   []int64  `db:"reverses"`
	IDs        []string `db:"dispute_ids"`
}
