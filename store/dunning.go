package store

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/money"
	billingsql "github.com/openbilling/billing/sql"
)

// The dunning stage's reads and writes (§13): the late-fee policies, the
// overdue invoices to weigh, the assessments, and the reminders due.
var (
	lateFeePolicyList    = billingsql.Query("late_fee_policy_list")
	lateFeeCandidates    = billingsql.Query("late_fee_candidates")
	lateFeeInsertMany    = named[lateFeeColumns](billingsql.Query("late_fee_insert_many"))
	reminderDueSoon      = named[dueWithin](billingsql.Query("reminder_due_soon"))
	reminderOverdue      = billingsql.Query("reminder_overdue")
	reminderCardExpiring = billingsql.Query("reminder_card_expiring")
	accountSetTerms      = named[accountTerms](billingsql.Query("account_set_payment_terms"))
)

// LateFeePolicy is a stored late-fee policy.
type LateFeePolicy struct {
	Currency      money.Currency   `db:"currency"`
	AfterDays     int              `db:"after_days"`
	Fixed         decimal.Decimal  `db:"fixed"`
	Rate          decimal.Decimal  `db:"rate"`
	Minimum       *decimal.Decimal `db:"minimum"`
	Maximum       *decimal.Decimal `db:"maximum"`
	EffectiveFrom *calendar.Date   `db:"effective_from"`
}

// LateFeePolicies lists the late-fee policies.
func LateFeePolicies(ctx context.Context, q Queryer) ([]LateFeePolicy, error) {
	var out []LateFeePolicy
	err := sqlx.SelectContext(ctx, q.ext(), &out, lateFeePolicyList)
	return out, err
}

// OverdueInvoice is an invoice the dunning stage weighs.
type OverdueInvoice struct {
	Number      string          `db:"number"`
	AccountID   string          `db:"account_id"`
	Type        string          `db:"type"`
	Billing     string          `db:"billing"`
	Currency    money.Currency  `db:"currency"`
	WindowStart calendar.Date   `db:"window_start"`
	WindowEnd   calendar.Date   `db:"window_end"`
	DueDate     calendar.Date   `db:"due_date"`
	AmountDue   decimal.Decimal `db:"amount_due"`
}

// LateFeeCandidates lists the invoices overdue on d, never assessed, in a
// currency with a policy: neither credits, refunds nor late fees. Read it in
// the transaction that records the assessments, under the close lock.
func LateFeeCandidates(ctx context.Context, tx *Tx, d calendar.Date) ([]OverdueInvoice, error) {
	var out []OverdueInvoice
	err := tx.x.SelectContext(ctx, &out, lateFeeCandidates, d)
	return out, err
}

// Assessment is an overdue invoice's late fee: its invoice ("" for a fee of
// zero), what was due and the fee.
type Assessment struct {
	Invoice, FeeInvoice string
	AmountDue, Fee      decimal.Decimal
}

// InsertLateFees records assessments made on d by run runID; an invoice
// assessed before fails the statement (§12.7).
func InsertLateFees(ctx context.Context, tx *Tx, assessed []Assessment, d calendar.Date, runID int64) error {
	n := len(assessed)
	if n == 0 {
		return nil
	}
	numbers, fees, dues, amounts := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, a := range assessed {
		numbers[i], fees[i], dues[i], amounts[i] = a.Invoice, a.FeeInvoice, a.AmountDue.String(), a.Fee.String()
	}
	_, err := lateFeeInsertMany.exec(ctx, tx.x, lateFeeColumns{numbers, fees, dues, amounts, d, runID})
	return err
}

// Reminder is an e-mail of §13 due to an account's contact: about an
// invoice (its number, currency, amount due and due date) or a card (its
// id, brand, last four digits and expiry).
type Reminder struct {
	AccountID string          `db:"account_id"`
	Subject   string          `db:"subject"` // the invoice's number, or the card's id
	Currency  money.Currency  `db:"currency"`
	AmountDue decimal.Decimal `db:"amount_due"`
	DueDate   *calendar.Date  `db:"due_date"`
	Brand     string          `db:"brand"`
	Last4     string          `db:"last4"`
	ExpMonth  int             `db:"expiry_month"`
	ExpYear   int             `db:"expiry_year"`
	// LateFeePolicy: an overdue invoice's currency has a late-fee policy.
	LateFeePolicy bool `db:"late_fee_policy"`
}

// DueSoon lists the invoices due from d to d + days with something still
// due, on accounts whose card on file is not charged for them, that have
// not had their reminder.
func DueSoon(ctx context.Context, q Queryer, d calendar.Date, days int) ([]Reminder, error) {
	var out []Reminder
	err := reminderDueSoon.sel(ctx, q.ext(), &out, dueWithin{d, days})
	return out, err
}

// NewlyOverdue lists the invoices overdue on d that have not had their
// overdue e-mail.
func NewlyOverdue(ctx context.Context, q Queryer, d calendar.Date) ([]Reminder, error) {
	var out []Reminder
	err := sqlx.SelectContext(ctx, q.ext(), &out, reminderOverdue, d)
	return out, err
}

// CardsExpiring lists the cards on file whose expiry month ends within 30
// days of d, not yet past, that have not had their e-mail.
func CardsExpiring(ctx context.Context, q Queryer, d calendar.Date) ([]Reminder, error) {
	var out []Reminder
	err := sqlx.SelectContext(ctx, q.ext(), &out, reminderCardExpiring, d)
	return out, err
}

// SetPaymentTerms sets an account's payment terms for the invoices it is
// issued from now on; found is false for an unknown account.
func SetPaymentTerms(ctx context.Context, q Queryer, accountID string, days int) (found bool, err error) {
	return affected(accountSetTerms.exec(ctx, q.ext(), accountTerms{accountID, days}))
}

// accountTerms are the parameters of account_set_payment_terms.
type accountTerms struct {
	AccountID string `db:"account_id"`
	Days      int    `db:"payment_terms_days"`
}

// dueWithin are the parameters of reminder_due_soon.
type dueWithin struct {
	From calendar.Date `db:"from"`
	Days int           `db:"days"`
}

// lateFeeColumns are the parameters of late_fee_insert_many.
type lateFeeColumns struct {
	Invoices    []string      `db:"invoice_numbers"`
	FeeInvoices []string      `db:"fee_invoices"`
	AmountsDue  []string      `db:"amounts_due"`
	Fees        []string      `db:"fees"`
	AssessedOn  calendar.Date `db:"assessed_on"`
	RunID       int64         `db:"run_id"`
}
