package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/money"
	billingsql "github.com/openbilling/billing/sql"
)

// Cards on file, gateway attempts, the outbox and the locks that serialize
// an account's payments (§9).
var (
	paymentMethodInsert     = namedRow[PaymentMethod](billingsql.Query("payment_method_insert"))
	paymentMethodList       = billingsql.Query("payment_method_list")
	paymentMethodSetStatus  = named[methodStatus](billingsql.Query("payment_method_set_status"))
	paymentMethodRemove     = named[accountMethod](billingsql.Query("payment_method_remove"))
	paymentMethodSetDefault = named[accountMethod](billingsql.Query("payment_method_set_default"))
	accountContact          = billingsql.Query("account_contact")
	gatewayAttemptInsert    = named[newAttempt](billingsql.Query("gateway_attempt_insert"))
	gatewayAttemptGet       = billingsql.Query("gateway_attempt_get")
	gatewayAttemptUnsettled = billingsql.Query("gateway_attempt_unsettled")
	gatewayAttemptInFlight  = named[accountCurrency](billingsql.Query("gateway_attempt_in_flight"))
	collectCandidates       = billingsql.Query("collect_candidates")
	paymentList             = billingsql.Query("payment_list")
	refundCardPayments      = billingsql.Query("refund_card_payments")
	refundPaidBack          = billingsql.Query("refund_paid_back")
	ledgerPaybackInsert     = named[payback](billingsql.Query("ledger_payback_insert"))
	paymentGet              = billingsql.Query("payment_get")
	invoiceRefunded         = billingsql.Query("invoice_refunded")
)

// CardPayment is a card payment that paid an invoice: what it paid of it,
// and what is left of the payment to pay back.
type CardPayment struct {
	PaymentID        string          `db:"payment_id"`
	GatewayReference string          `db:"gateway_reference"`
	MethodLabel      string          `db:"method_label"`
	Paid             decimal.Decimal `db:"paid"`
	LeftToPayBack    decimal.Decimal `db:"left_to_pay_back"`
}

// CardPaymentsOf lists the card payments that paid an invoice, oldest first.
func CardPaymentsOf(ctx context.Context, q Queryer, number string) ([]CardPayment, error) {
	var out []CardPayment
	err := sqlx.SelectContext(ctx, q.ext(), &out, refundCardPayments, number)
	return out, err
}

// PaidBackFor is what the refunds of an invoice have paid back, or are
// paying back, to cards.
func PaidBackFor(ctx context.Context, q Queryer, number string) (decimal.Decimal, error) {
	var d decimal.Decimal
	err := sqlx.GetContext(ctx, q.ext(), &d, refundPaidBack, number)
	return d, err
}

// Refunded is what the refunds of an invoice have taken back, and the line
// numbers they refunded.
type Refunded struct {
	Amount decimal.Decimal `db:"refunded"`
	Lines  pq.Int64Array   `db:"lines"`
}

// RefundedOf returns what has been refunded of an invoice.
func RefundedOf(ctx context.Context, q Queryer, number string) (Refunded, error) {
	var r Refunded
	err := sqlx.GetContext(ctx, q.ext(), &r, invoiceRefunded, number)
	return r, err
}

// InsertPayback records money paid back to a payment's card from a refund's credit.
func InsertPayback(ctx context.Context, q Queryer, accountID, currency string, amount decimal.Decimal, refund, paymentID string) error {
	_, err := ledgerPaybackInsert.exec(ctx, q.ext(), payback{accountID, currency, money.Format(amount, money.Currency(currency)), refund, paymentID})
	return err
}

// PaymentByID returns a payment; found is false when there is none.
func PaymentByID(ctx context.Context, q Queryer, id string) (Payment, bool, error) {
	return getOne[Payment](ctx, q.ext(), paymentGet, id)
}

// ledgerLockClass is the first key of the per-account payment locks.
const ledgerLockClass = 0x4c454447 // "LEDG"

// LockAccountPayments waits until no other session works on the account's
// payments and holds the lock on a session of its own until unlock (or
// until the session ends with its process): an account's payments, and
// the allocations of its credits, take turns (§9 "Never twice").
func LockAccountPayments(ctx context.Context, db *DB, accountID string) (unlock func(), err error) {
	return LockAccountsPayments(ctx, db, []string{accountID})
}

// LockAccountsPaymentsInTx takes the accounts' payment locks, in id order,
// until the transaction ends.
func LockAccountsPaymentsInTx(ctx context.Context, tx *Tx, accountIDs []string) error {
	_, err := lockEachInTx.exec(ctx, tx.x, lockKeys{ledgerLockClass, accountIDs})
	return err
}

// Contact is an account's name and e-mail ("" when it has none).
type Contact struct {
	Name  string `db:"name"`
	Email string `db:"email"`
}

// AccountContact returns an account's contact; found is false for an unknown account.
func AccountContact(ctx context.Context, q Queryer, accountID string) (c Contact, found bool, err error) {
	return getOne[Contact](ctx, q.ext(), accountContact, accountID)
}

// PaymentMethod is a card on file: the gateway's token and what may be shown.
type PaymentMethod struct {
	ID           int64      `db:"payment_method_id" json:"id"`
	AccountID    string     `db:"account_id" json:"account_id"`
	Token        string     `db:"gateway_token" json:"-"`
	Brand        string     `db:"brand" json:"brand"`
	Last4        string     `db:"last4" json:"last4"`
	ExpMonth     int        `db:"expiry_month" json:"exp_month"`
	ExpYear      int        `db:"expiry_year" json:"exp_year"`
	HolderName   string     `db:"holder_name" json:"name"`
	Status       string     `db:"status" json:"status"`
	StatusReason string     `db:"status_reason" json:"status_reason"`
	IsDefault    bool       `db:"is_default" json:"default"`
	CreatedAt    time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt    time.Time  `db:"updated_at" json:"updated_at"`
	RemovedAt    *time.Time `db:"removed_at" json:"removed_at,omitempty"` // shown by the events of a removed card
}

// InsertPaymentMethod stores a tokenized card as pending and returns its id.
func InsertPaymentMethod(ctx context.Context, q Queryer, m PaymentMethod) (int64, error) {
	var id int64
	err := paymentMethodInsert.get(ctx, q.ext(), &id, m)
	return id, err
}

// PaymentMethods lists the cards on file of an account, or of all (accountID empty).
func PaymentMethods(ctx context.Context, q Queryer, accountID string) ([]PaymentMethod, error) {
	var out []PaymentMethod
	err := sqlx.SelectContext(ctx, q.ext(), &out, paymentMethodList, accountID)
	return out, err
}

// SetPaymentMethodStatus changes a card's status; changed is false when it
// already had it.
func SetPaymentMethodStatus(ctx context.Context, q Queryer, id int64, status, reason string) (changed bool, err error) {
	return affected(paymentMethodSetStatus.exec(ctx, q.ext(), methodStatus{id, status, reason}))
}

// RemovePaymentMethod removes a card of an account; found is false when it has no such card.
func RemovePaymentMethod(ctx context.Context, q Queryer, accountID string, id int64) (found bool, err error) {
	return affected(paymentMethodRemove.exec(ctx, q.ext(), accountMethod{id, accountID}))
}

// SetDefaultPaymentMethod makes a card its account's default.
func SetDefaultPaymentMethod(ctx context.Context, q Queryer, accountID string, id int64) error {
	_, err := paymentMethodSetDefault.exec(ctx, q.ext(), accountMethod{id, accountID})
	return err
}

func affected(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Attempt is a call to the gateway that moves money, with its outcome once known.
type Attempt struct {
	ID               int64           `db:"attempt_id"`
	Key              string          `db:"idempotency_key"`
	Request          string          `db:"request"`
	Purpose          string          `db:"purpose"` // auto_charge, payment or payback
	AccountID        string          `db:"account_id"`
	Currency         string          `db:"currency"`
	Amount           decimal.Decimal `db:"amount"`
	InvoiceNumber    string          `db:"invoice_number"`
	PaymentMethodID  *int64          `db:"payment_method_id"`
	Method           string          `db:"method"` // card_on_file, card or paypal
	MethodLabel      string          `db:"method_label"`
	AttemptNo        int             `db:"attempt_no"`
	AttemptedAt      time.Time       `db:"attempted_at"`
	Status           string          `db:"status"` // pending, succeeded, declined, unknown
	DeclineCode      string          `db:"decline_code"`
	Hard             bool            `db:"hard_decline"`
	GatewayReference string          `db:"gateway_reference"`
	PaymentID        string          `db:"payment_id"`
}

// InsertAttempt records a gateway call before it is made; inserted is
// false when its key is taken.
func InsertAttempt(ctx context.Context, q Queryer, a Attempt) (id int64, inserted bool, err error) {
	return getNamed[int64](ctx, q.ext(), gatewayAttemptInsert, newAttempt{a.Key, a.Request, a.Purpose, a.AccountID, a.Currency, money.Format(a.Amount, money.Currency(a.Currency)),
		a.InvoiceNumber, a.PaymentMethodID, a.Method, a.MethodLabel, a.AttemptNo, a.AttemptedAt, a.PaymentID})
}

// AttemptByKey returns a gateway call by its idempotency key.
func AttemptByKey(ctx context.Context, q Queryer, key string) (a Attempt, found bool, err error) {
	return getOne[Attempt](ctx, q.ext(), gatewayAttemptGet, key)
}

// UnsettledAttempts lists the gateway calls whose outcome is not known, of
// one account or all (accountID empty).
func UnsettledAttempts(ctx context.Context, q Queryer, accountID string) ([]Attempt, error) {
	var out []Attempt
	err := sqlx.SelectContext(ctx, q.ext(), &out, gatewayAttemptUnsettled, accountID)
	return out, err
}

// SettleAttempt records a gateway call's outcome.
func SettleAttempt(ctx context.Context, q Queryer, a Attempt) error {
	return SettleAttempts(ctx, q, []Attempt{a})
}

// InFlight is what an account's unsettled charges in a currency may still collect.
func InFlight(ctx context.Context, q Queryer, accountID, currency string) (decimal.Decimal, error) {
	var d decimal.Decimal
	err := gatewayAttemptInFlight.get(ctx, q.ext(), &d, accountCurrency{accountID, currency})
	return d, err
}

// CollectCandidate is an invoice an auto-charge may take, with its history.
type CollectCandidate struct {
	Number          string          `db:"number"`
	AccountID       string          `db:"account_id"`
	Currency        string          `db:"currency"`
	IssueDate       calendar.Date   `db:"issue_date"`
	Due             decimal.Decimal `db:"due"`
	PaymentMethodID int64           `db:"payment_method_id"`
	Token           string          `db:"gateway_token"`
	Customer        string          `db:"customer_id"` // the provider's customer of the account, where it has them
	Brand           string          `db:"brand"`
	Last4           string          `db:"last4"`
	Attempts        int             `db:"attempts"`
	FirstAttempt    *time.Time      `db:"first_at"`
	LastStatus      string          `db:"last_status"`
	Hard            bool            `db:"hard"`
	// A dispute reopened it (§9.1): still open, or lost at LostAt with
	// AttemptsSince auto-charges since (HardSince: one declined hard).
	Disputed      bool       `db:"disputed"`
	LostAt        *time.Time `db:"lost_at"`
	AttemptsSince int        `db:"attempts_since"`
	HardSince     bool       `db:"hard_since"`
}

// CollectCandidates lists the invoices with something due on accounts
// whose default card is valid: of numbers, or all when numbers is nil.
func CollectCandidates(ctx context.Context, q Queryer, numbers []string) ([]CollectCandidate, error) {
	var out []CollectCandidate
	err := sqlx.SelectContext(ctx, q.ext(), &out, collectCandidates, pq.Array(numbers))
	return out, err
}

// PaymentRecord is a payment received with the invoices it paid.
type PaymentRecord struct {
	Payment
	PaidInvoices string          `db:"paid_invoices"` // "NUMBER AMOUNT, ..."
	Refunded     decimal.Decimal `db:"refunded"`      // paid back to the card
	Disputed     decimal.Decimal `db:"disputed"`      // taken back by disputes, less disputes won
	Disputes     string          `db:"disputes"`      // "ID STATUS AMOUNT, ..."
}

// Payments lists payments received, newest first, of an account or all.
func Payments(ctx context.Context, q Queryer, accountID string) ([]PaymentRecord, error) {
	var out []PaymentRecord
	err := sqlx.SelectContext(ctx, q.ext(), &out, paymentList, accountID)
	return out, err
}

// Message is an e-mail for the outbox.
type Message struct {
	ID, AccountID, To, Subject, Body string
}

// The outbox's queries.
var (
	outboxDue    = named[dueMessages](billingsql.Query("outbox_due"))
	outboxSent   = named[messageAt](billingsql.Query("outbox_sent"))
	outboxFailed = named[messageFailure](billingsql.Query("outbox_failed"))
	outboxList   = billingsql.Query("outbox_list")
)

// OutboxMessage is an e-mail of the outbox, with its delivery so far.
type OutboxMessage struct {
	ID            string     `db:"message_id" json:"message_id"`
	AccountID     string     `db:"account_id" json:"account_id"`
	To            string     `db:"recipient" json:"to"`
	Subject       string     `db:"subject" json:"subject"`
	Body          string     `db:"body" json:"body"`
	Attempts      int        `db:"attempts" json:"attempts"`
	CreatedAt     time.Time  `db:"created_at" json:"created_at"`
	SentAt        *time.Time `db:"sent_at" json:"sent_at"`
	NextAttemptAt *time.Time `db:"next_attempt_at" json:"next_attempt_at"`
	LastError     string     `db:"last_error" json:"last_error"`
}

// DueMessages lists at most limit e-mails due to be sent at now.
func DueMessages(ctx context.Context, q Queryer, now time.Time, limit int) ([]OutboxMessage, error) {
	var out []OutboxMessage
	err := outboxDue.sel(ctx, q.ext(), &out, dueMessages{now, limit})
	return out, err
}

// MessageSent records that the mail server accepted an e-mail.
func MessageSent(ctx context.Context, q Queryer, id string, at time.Time) error {
	_, err := outboxSent.exec(ctx, q.ext(), messageAt{id, at})
	return err
}

// MessageFailed records a refused e-mail and when to try it again.
func MessageFailed(ctx context.Context, q Queryer, id string, next time.Time, reason string) error {
	_, err := outboxFailed.exec(ctx, q.ext(), messageFailure{id, next, reason})
	return err
}

// Outbox lists the latest e-mails, newest first.
func Outbox(ctx context.Context, q Queryer, limit int) ([]OutboxMessage, error) {
	var out []OutboxMessage
	err := sqlx.SelectContext(ctx, q.ext(), &out, outboxList, limit)
	return out, err
}

// The collect stage's batch queries.
var (
	collectDue               = billingsql.Query("collect_due")
	gatewayAttemptInsertMany = named[autoChargeColumns](billingsql.Query("gateway_attempt_insert_many"))
	gatewayAttemptSettleMany = named[outcomeColumns](billingsql.Query("gateway_attempt_settle_many"))
	outboxInsertForAccounts  = named[accountMessages](billingsql.Query("outbox_insert_for_accounts"))
	outboxInsertTo           = named[addressedMessages](billingsql.Query("outbox_insert_to"))
)

// LockAccountsPayments is LockAccountPayments for several accounts at once,
// taken in id order on one session.
func LockAccountsPayments(ctx context.Context, db *DB, accountIDs []string) (unlock func(), err error) {
	conn, err := db.x.Connx(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := lockEach.exec(ctx, conn, lockKeys{ledgerLockClass, accountIDs}); err != nil {
		conn.Close()
		return nil, err
	}
	return func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock_all()`)
		conn.Close()
	}, nil
}

// Due is what is due of an invoice, with its account's balance in the
// currency and what unsettled charges may still collect.
type Due struct {
	Number    string          `db:"number"`
	AccountID string          `db:"account_id"`
	Currency  string          `db:"currency"`
	Due       decimal.Decimal `db:"due"`
	Balance   decimal.Decimal `db:"balance"`
	InFlight  decimal.Decimal `db:"in_flight"`
}

// DueOf reads what is due of some invoices.
func DueOf(ctx context.Context, q Queryer, numbers []string) ([]Due, error) {
	var out []Due
	err := sqlx.SelectContext(ctx, q.ext(), &out, collectDue, pq.Array(numbers))
	return out, err
}

// InsertAutoCharges records auto-charges about to be made, all attempted
// at; it returns the ids of those whose key was free, by key.
func InsertAutoCharges(ctx context.Context, q Queryer, attempts []Attempt, at time.Time) (map[string]int64, error) {
	n := len(attempts)
	keys, requests, accounts, currencies, amounts, invoices, labels := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	methods, nos := make([]int64, n), make([]int64, n)
	for i, a := range attempts {
		keys[i], requests[i], accounts[i], currencies[i], invoices[i], labels[i] = a.Key, a.Request, a.AccountID, a.Currency, a.InvoiceNumber, a.MethodLabel
		amounts[i] = money.Format(a.Amount, money.Currency(a.Currency))
		methods[i], nos[i] = *a.PaymentMethodID, int64(a.AttemptNo)
	}
	var rows []struct {
		Key string `db:"idempotency_key"`
		ID  int64  `db:"attempt_id"`
	}
	err := gatewayAttemptInsertMany.sel(ctx, q.ext(), &rows, autoChargeColumns{keys, requests, accounts, currencies, amounts, invoices, methods, labels, nos, at})
	ids := make(map[string]int64, len(rows))
	for _, r := range rows {
		ids[r.Key] = r.ID
	}
	return ids, err
}

// SettleAttempts records gateway calls' outcomes in one statement.
func SettleAttempts(ctx context.Context, q Queryer, attempts []Attempt) error {
	n := len(attempts)
	if n == 0 {
		return nil
	}
	ids := make([]int64, n)
	hard := make([]bool, n)
	statuses, codes, refs, payments := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, a := range attempts {
		ids[i], statuses[i], codes[i], hard[i], refs[i], payments[i] = a.ID, a.Status, a.DeclineCode, a.Hard, a.GatewayReference, a.PaymentID
	}
	_, err := gatewayAttemptSettleMany.exec(ctx, q.ext(), outcomeColumns{ids, statuses, codes, hard, refs, payments})
	return err
}

// InsertMessagesTo puts e-mails to the addresses they name in the outbox
// and returns the ids of those written.
func InsertMessagesTo(ctx context.Context, q Queryer, messages []Message) ([]string, error) {
	n := len(messages)
	ids, to, subjects, bodies := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, m := range messages {
		ids[i], to[i], subjects[i], bodies[i] = m.ID, m.To, m.Subject, m.Body
	}
	var written []string
	err := outboxInsertTo.sel(ctx, q.ext(), &written, addressedMessages{ids, to, subjects, bodies})
	return written, err
}

// InsertMessagesForAccounts puts e-mails to accounts' contacts in the
// outbox and returns the ids of those written; an account without an
// e-mail address gets none.
func InsertMessagesForAccounts(ctx context.Context, q Queryer, messages []Message) ([]string, error) {
	n := len(messages)
	if n == 0 {
		return nil, nil
	}
	ids, accounts, subjects, bodies := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, m := range messages {
		ids[i], accounts[i], subjects[i], bodies[i] = m.ID, m.AccountID, m.Subject, m.Body
	}
	var written []string
	err := outboxInsertForAccounts.sel(ctx, q.ext(), &written, accountMessages{ids, accounts, subjects, bodies})
	return written, err
}

var outboxGet = billingsql.Query("outbox_get")

// MessageByID returns one e-mail of the outbox.
func MessageByID(ctx context.Context, q Queryer, id string) (OutboxMessage, bool, error) {
	return getOne[OutboxMessage](ctx, q.ext(), outboxGet, id)
}

var paymentMethodToken = billingsql.Query("payment_method_token")

// PaymentMethodToken returns the gateway token of a card on file.
func PaymentMethodToken(ctx context.Context, q Queryer, id int64) (string, bool, error) {
	return getOne[string](ctx, q.ext(), paymentMethodToken, id)
}

// autoChargeColumns are the parameters of gateway_attempt_insert_many.
type autoChargeColumns struct {
	Keys       []string  `db:"idempotency_keys"`
	Requests   []string  `db:"requests"`
	Accounts   []string  `db:"accounts"`
	Currencies []string  `db:"currencies"`
	Amounts    []string  `db:"amounts"`
	Invoices   []string  `db:"invoice_numbers"`
	Methods    []int64   `db:"payment_method_ids"`
	Labels     []string  `db:"method_labels"`
	Nos        []int64   `db:"attempt_nos"`
	At         time.Time `db:"attempted_at"`
}

// newAttempt are the parameters of gateway_attempt_insert.
type newAttempt struct {
	Key             string    `db:"idempotency_key"`
	Request         string    `db:"request"`
	Purpose         string    `db:"purpose"`
	AccountID       string    `db:"account_id"`
	Currency        string    `db:"currency"`
	Amount          string    `db:"amount"`
	InvoiceNumber   string    `db:"invoice_number"`
	PaymentMethodID *int64    `db:"payment_method_id"`
	Method          string    `db:"method"`
	MethodLabel     string    `db:"method_label"`
	AttemptNo       int       `db:"attempt_no"`
	AttemptedAt     time.Time `db:"attempted_at"`
	PaymentID       string    `db:"payment_id"`
}

// accountCurrency are the parameters of gateway_attempt_in_flight.
type accountCurrency struct {
	AccountID string `db:"account_id"`
	Currency  string `db:"currency"`
}

// dueMessages are the parameters of outbox_due.
type dueMessages struct {
	Now   time.Time `db:"now"`
	Limit int       `db:"limit"`
}

// messageAt are the parameters of outbox_sent.
type messageAt struct {
	ID string    `db:"message_id"`
	At time.Time `db:"sent_at"`
}

// accountMethod are the parameters of payment_method_remove.
type accountMethod struct {
	ID        int64  `db:"payment_method_id"`
	AccountID string `db:"account_id"`
}

// messageFailure are the parameters of outbox_failed.
type messageFailure struct {
	ID     string    `db:"message_id"`
	Next   time.Time `db:"next_attempt_at"`
	Reason string    `db:"last_error"`
}

// methodStatus are the parameters of payment_method_set_status.
type methodStatus struct {
	ID     int64  `db:"payment_method_id"`
	Status string `db:"status"`
	Reason string `db:"status_reason"`
}

// accountMessages are the parameters of outbox_insert_for_accounts.
type accountMessages struct {
	IDs      []string `db:"message_ids"`
	Accounts []string `db:"accounts"`
	Subjects []string `db:"subjects"`
	Bodies   []string `db:"bodies"`
}

// addressedMessages are the parameters of outbox_insert_to.
type addressedMessages struct {
	IDs      []string `db:"message_ids"`
	To       []string `db:"recipients"`
	Subjects []string `db:"subjects"`
	Bodies   []string `db:"bodies"`
}

// payback are the parameters of ledger_payback_insert.
type payback struct {
	AccountID string `db:"account_id"`
	Currency  string `db:"currency"`
	Amount    string `db:"amount"`
	Refund    string `db:"invoice_number"`
	PaymentID string `db:"payment_id"`
}

// outcomeColumns are the parameters of gateway_attempt_settle_many.
type outcomeColumns struct {
	IDs      []int64  `db:"attempt_ids"`
	Statuses []string `db:"statuses"`
	Codes    []string `db:"decline_codes"`
	Hard     []bool   `db:"hard_declines"`
	Refs     []string `db:"gateway_references"`
	Payments []string `db:"payment_ids"`
}
