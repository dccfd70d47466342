package store

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/money"
	billingsql "github.com/openbilling/billing/sql"
)

// The sandbox gateway's books (its own tables, as a processor keeps them on
// its side).
var (
	sandboxCardInsert     = billingsql.Query("sandbox_card_insert")
	sandboxCardTakeCharge = billingsql.Query("sandbox_card_take_charge")
	sandboxCardGet        = billingsql.Query("sandbox_card_get")
	sandboxRequestGet     = billingsql.Query("sandbox_request_get")
	sandboxRequestInsert  = billingsql.Query("sandbox_request_insert")
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
	_, err := q.ext().ExecContext(ctx, sandboxCardInsert, c.Token, c.Behaviour, c.ExpMonth, c.ExpYear)
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
	return getOne[SandboxRequest](ctx, q.ext(), sandboxRequestGet, key, reference)
}

// InsertSandboxRequest records a request; inserted is false when its key
// was already taken.
func InsertSandboxRequest(ctx context.Context, q Queryer, r SandboxRequest) (inserted bool, err error) {
	res, err := q.ext().ExecContext(ctx, sandboxRequestInsert, r.Key, r.Request, r.Kind, money.Format(r.Amount, money.Currency(r.Currency)), r.Currency,
		r.Status, r.DeclineCode, r.Hard, r.Reference, r.Answered)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
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

// InSandboxTx runs fn in a transaction of the sandbox's books. Its commit
// does not wait for the disk: the sandbox stands for a processor's books,
// not the product's, and a request it loses in a crash is one it never
// answered, which the product settles as not made (nothing was taken).
func InSandboxTx(ctx context.Context, db *DB, fn func(*Tx) error) error {
	return db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.x.ExecContext(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
			return err
		}
		return fn(tx)
	})
}
