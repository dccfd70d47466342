package store

import (
	"context"

	billingsql "github.com/openbilling/billing/sql"
)

// Hosted pages and the providers' customers (§9.1).
var (
	gatewayCustomerGet    = named[accountGateway](billingsql.Query("gateway_customer_get"))
	gatewayCustomerInsert = named[gatewayCustomer](billingsql.Query("gateway_customer_insert"))
	checkoutInsert        = namedRow[Checkout](billingsql.Query("checkout_insert"))
	checkoutGet           = named[checkoutKey](billingsql.Query("checkout_get"))
	checkoutClose         = named[checkoutEnd](billingsql.Query("checkout_close"))
)

// GatewayCustomer returns the provider's customer of an account.
func GatewayCustomer(ctx context.Context, q Queryer, accountID, gateway string) (string, bool, error) {
	return getNamed[string](ctx, q.ext(), gatewayCustomerGet, accountGateway{accountID, gateway})
}

// InsertGatewayCustomer keeps an account's customer unless one was kept first.
func InsertGatewayCustomer(ctx context.Context, q Queryer, accountID, gateway, customerID string) error {
	_, err := gatewayCustomerInsert.exec(ctx, q.ext(), gatewayCustomer{accountID, gateway, customerID})
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
	_, err := checkoutInsert.exec(ctx, q.ext(), c)
	return err
}

// CheckoutByID returns a hosted page by id, or (id empty) by key.
func CheckoutByID(ctx context.Context, q Queryer, id, key string) (Checkout, bool, error) {
	return getNamed[Checkout](ctx, q.ext(), checkoutGet, checkoutKey{id, key})
}

// CloseCheckout records a page's end; closed is false when it had ended.
func CloseCheckout(ctx context.Context, q Queryer, id, status string, methodID *int64) (closed bool, err error) {
	return affected(checkoutClose.exec(ctx, q.ext(), checkoutEnd{id, status, methodID}))
}

// checkoutKey are the parameters of checkout_get.
type checkoutKey struct {
	ID  string `db:"checkout_id"`
	Key string `db:"idempotency_key"`
}

// accountGateway are the parameters of gateway_customer_get.
type accountGateway struct {
	AccountID string `db:"account_id"`
	Gateway   string `db:"gateway"`
}

// checkoutEnd are the parameters of checkout_close.
type checkoutEnd struct {
	ID       string `db:"checkout_id"`
	Status   string `db:"status"`
	MethodID *int64 `db:"payment_method_id"`
}

// gatewayCustomer are the parameters of gateway_customer_insert.
type gatewayCustomer struct {
	AccountID  string `db:"account_id"`
	Gateway    string `db:"gateway"`
	CustomerID string `db:"customer_id"`
}
