package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/money"
	billingsql "github.com/openbilling/billing/sql"
)

// The sandbox gateway's books (its own tables, as a processor keeps them on
// its side).
var (
	sandboxCardInsert     = namedRow[SandboxCard](billingsql.Query("sandbox_card_insert"))
	sandboxCardTakeCharge = billingsql.Query("sandbox_card_take_charge")
	sandboxCardGet        = billingsql.Query("sandbox_card_get")
	sandboxRequestGet     = named[keyOrReference](billingsql.Query("sandbox_request_get"))
	sandboxRequestInsert  = named[sandboxAnswer](billingsql.Query("sandbox_request_insert"))
	sandboxRequestAnswer  = billingsql.Query("sandbox_request_answer")
	sandboxRefunded       = billingsql.Query("sandbox_refunded")
)

// SandboxCard is a card the sandbox tokenized.
type SandboxCard struct {
	Token     string `db:"token"`
	Behaviour string `db:"behaviour"`
	ExpMonth  int    `db:"expiry_month"`
	ExpYear   int    `db:"expiry_year"`
	Charges   int    `db:"charges"` // charges made on it before
}

// SandboxRequest is a request the sandbox received.
type SandboxRequest struct {
	Key         string          `db:"idempotency_key"`
	Request     string          `db:"request"`
	Kind        string          `db:"kind"` // charge or refund
	Amount      decimal.Decimal `db:"amount"`
	Currency    string          `db:"currency"`
	Status      string          `db:"status"`
	DeclineCode string          `db:"decline_code"`
	Hard        bool            `db:"hard_decline"`
	Reference   string          `db:"reference"`
	Answered    bool            `db:"answered"`
}

// InsertSandboxCard records a tokenized card.
func InsertSandboxCard(ctx context.Context, q Queryer, c SandboxCard) error {
	_, err := sandboxCardInsert.exec(ctx, q.ext(), c)
	return err
}

// SandboxCardByToken returns a tokenized card; found is false for an unknown token.
func SandboxCardByToken(ctx context.Context, q Queryer, token string) (c SandboxCard, found bool, err error) {
	return getOne[SandboxCard](ctx, q.ext(), sandboxCardGet, token)
}

// TakeSandboxCharge counts a charge on a card and returns the card as it
// was before; found is false for an unknown token.
func TakeSandboxCharge(ctx context.Context, q Queryer, token string) (c SandboxCard, found bool, err error) {
	return getOne[SandboxCard](ctx, q.ext(), sandboxCardTakeCharge, token)
}

// SandboxRequestByKey returns a request by its idempotency key, or (key
// empty) by its reference; found is false when there is none.
func SandboxRequestByKey(ctx context.Context, q Queryer, key, reference string) (r SandboxRequest, found bool, err error) {
	return getNamed[SandboxRequest](ctx, q.ext(), sandboxRequestGet, keyOrReference{key, reference})
}

// InsertSandboxRequest records a request; inserted is false when its key
// was already taken. The transaction it runs in (its own, alone) commits
// without waiting for the disk (sandbox_request_insert.sql).
func InsertSandboxRequest(ctx context.Context, q Queryer, r SandboxRequest) (inserted bool, err error) {
	return affected(sandboxRequestInsert.exec(ctx, q.ext(), sandboxAnswer{r.Key, r.Request, r.Kind, money.Format(r.Amount, money.Currency(r.Currency)), r.Currency,
		r.Status, r.DeclineCode, r.Hard, r.Reference, r.Answered}))
}

// AnswerSandboxRequest marks a request answered.
func AnswerSandboxRequest(ctx context.Context, q Queryer, key string) error {
	_, err := q.ext().ExecContext(ctx, sandboxRequestAnswer, key)
	return err
}

// SandboxRefunded is how much of a charge has been refunded.
func SandboxRefunded(ctx context.Context, q Queryer, reference string) (decimal.Decimal, error) {
	var d decimal.Decimal
	err := sqlx.GetContext(ctx, q.ext(), &d, sandboxRefunded, reference)
	return d, err
}

var (
	sandboxCheckoutInsert   = named[sandboxPage](billingsql.Query("sandbox_checkout_insert"))
	sandboxCheckoutGet      = named[checkoutKey](billingsql.Query("sandbox_checkout_get"))
	sandboxCheckoutTry      = billingsql.Query("sandbox_checkout_try")
	sandboxCheckoutComplete = namedRow[SandboxCheckout](billingsql.Query("sandbox_checkout_complete"))
	sandboxCheckoutExpire   = billingsql.Query("sandbox_checkout_expire")
)

// SandboxCheckout is a hosted page of the sandbox.
type SandboxCheckout struct {
	ID        string          `db:"checkout_id"`
	Key       string          `db:"idempotency_key"`
	Request   string          `db:"request"`
	Mode      string          `db:"mode"`
	Customer  string          `db:"customer"`
	Amount    decimal.Decimal `db:"amount"`
	Currency  string          `db:"currency"`
	PayPal    bool            `db:"paypal"`
	ReturnURL string          `db:"return_url"`
	CancelURL string          `db:"cancel_url"`
	Status    string          `db:"status"`
	Tries     int             `db:"tries"`
	Token     string          `db:"token"`
	Brand     string          `db:"brand"`
	Last4     string          `db:"last4"`
	ExpMonth  int             `db:"expiry_month"`
	ExpYear   int             `db:"expiry_year"`
	Holder    string          `db:"holder_name"`
	ChargeKey string          `db:"charge_key"`
	Label     string          `db:"label"`
	CreatedAt time.Time       `db:"created_at"`
}

// InsertSandboxCheckout records a hosted page; inserted is false when its
// key opened one before.
func InsertSandboxCheckout(ctx context.Context, q Queryer, c SandboxCheckout) (inserted bool, err error) {
	amount := ""
	if c.Currency != "" {
		amount = c.Amount.String()
	}
	return affected(sandboxCheckoutInsert.exec(ctx, q.ext(), sandboxPage{c.ID, c.Key, c.Request, c.Mode, c.Customer, amount, c.Currency, c.PayPal,
		c.ReturnURL, c.CancelURL}))
}

// SandboxCheckoutByID returns a hosted page by id, or (id empty) by key.
func SandboxCheckoutByID(ctx context.Context, q Queryer, id, key string) (SandboxCheckout, bool, error) {
	return getNamed[SandboxCheckout](ctx, q.ext(), sandboxCheckoutGet, checkoutKey{id, key})
}

// TrySandboxCheckout counts a try on an open page; found is false when
// the page is not open.
func TrySandboxCheckout(ctx context.Context, q Queryer, id string) (tries int, found bool, err error) {
	return getOne[int](ctx, q.ext(), sandboxCheckoutTry, id)
}

// CompleteSandboxCheckout records what an open page saved or charged;
// done is false when the page was no longer open.
func CompleteSandboxCheckout(ctx context.Context, q Queryer, c SandboxCheckout) (done bool, err error) {
	return affected(sandboxCheckoutComplete.exec(ctx, q.ext(), c))
}

// ExpireSandboxCheckout closes an open page.
func ExpireSandboxCheckout(ctx context.Context, q Queryer, id string) error {
	_, err := q.ext().ExecContext(ctx, sandboxCheckoutExpire, id)
	return err
}

// sandboxPage are the parameters of sandbox_checkout_insert.
type sandboxPage struct {
	ID        string `db:"checkout_id"`
	Key       string `db:"idempotency_key"`
	Request   string `db:"request"`
	Mode      string `db:"mode"`
	Customer  string `db:"customer"`
	Amount    string `db:"amount"`
	Currency  string `db:"currency"`
	PayPal    bool   `db:"paypal"`
	ReturnURL string `db:"return_url"`
	CancelURL string `db:"cancel_url"`
}

// sandboxAnswer are the parameters of sandbox_request_insert: a
// SandboxRequest with its amount written in its currency's decimals, as
// the sandbox's books keep it.
type sandboxAnswer struct {
	Key         string `db:"idempotency_key"`
	Request     string `db:"request"`
	Kind        string `db:"kind"`
	Amount      string `db:"amount"`
	Currency    string `db:"currency"`
	Status      string `db:"status"`
	DeclineCode string `db:"decline_code"`
	Hard        bool   `db:"hard_decline"`
	Reference   string `db:"reference"`
	Answered    bool   `db:"answered"`
}

// keyOrReference are the parameters of sandbox_request_get.
type keyOrReference struct {
	Key       string `db:"idempotency_key"`
	Reference string `db:"reference"`
}
