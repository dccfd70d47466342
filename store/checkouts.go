package store

import (
	"context"

	billingsql "github.com/openbilling/billing/sql"
)

// Hosted pages and the providers' customers (§9.1).
var (
	gatewayCustomerGet    = billingsql.Query("gateway_customer_get")
	gatewayCustomerInsert = billingsql.Query("gateway_customer_insert")
	checkoutInsert        = billingsql.Query("checkout_insert")
	checkoutGet           = billingsql.Query("checkout_get")
	checkoutClose         = billingsql.Query("checkout_close")
)

// GatewayCustomer returns the provider's customer of an account.
func GatewayCustomer(ctx context.Context, q Queryer, accountID, gateway string) (string, bool, error) {
	return getOne[string](ctx, q.ext(), gatewayCustomerGet, accountID, gateway)
}

// InsertGatewayCustomer keeps an account's customer unless one was kept first.
func InsertGatewayCustomer(ctx context.Context, q Queryer, accountID, gateway, customerID string) error {
	_, err := q.ext().ExecContext(ctx, gatewayCustomerInsert, accountID, gateway, customerID)
	return err
}

// Checkout is a hosted page opened for an account.
type Checkout struct {
	ID              string `db:"checkout_id"`
	Gateway         string `db:"gateway"`
	AccountID       string `db:"account_id"`
	Mode            string `db:"mode"`
	Key             string `db:"idempotency_key"`
	URL             string `db:"url"`
	MakeDefault     bool   `db:"make_default"`
	AttemptID       *int64 `db:"attempt_id"`
	PaymentMethodID *int64 `db:"payment_method_id"`
	Status          string `db:"status"`
}

// InsertCheckout records a hosted page.
func InsertCheckout(ctx context.Context, q Queryer, c Checkout) error {
	_, err := q.ext().ExecContext(ctx, checkoutInsert, c.ID, c.Gateway, c.AccountID, c.Mode, c.Key, c.URL, c.MakeDefault, c.AttemptID)
	return err
}

// CheckoutByID returns a hosted page by id, or (id empty) by key.
func CheckoutByID(ctx context.Context, q Queryer, id, key string) (Checkout, bool, error) {
	return getOne[Checkout](ctx, q.ext(), checkoutGet, id, key)
}

// CloseCheckout records a page's end; closed is false when it had ended.
func CloseCheckout(ctx context.Context, q Queryer, id, status string, methodID *int64) (closed bool, err error) {
	return affected(q.ext().ExecContext(ctx, checkoutClose, id, status, methodID))
}
