// Package workload makes CSV files of many small accounts for tests that
// need a run long enough to interrupt.
package workload

import (
	"fmt"
	"strings"
)

// AsOf is an instant that finds about a year of windows due for every
// account of ManyAccounts.
const AsOf = "2026-01-20T00:00:00Z"

// ManyAccounts returns the CSV files, by import kind, of n accounts with
// billing days spread over 1–31, each with one customer and one licence
// subscription started in January 2025 and raised once during the year.
func ManyAccounts(n int) map[string]string {
	var accounts, customers, orders strings.Builder
	accounts.WriteString("account_id,name,country,currency,billing_day\n")
	customers.WriteString("customer_id,account_id,name,country,currency\n")
	orders.WriteString("order_id,subscription_id,customer_id,sku,action,quantity,effective_date\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&accounts, "A%04d,Account %d,US,USD,%d\n", i, i, i%31+1)
		fmt.Fprintf(&customers, "C%04d,A%04d,Customer %d,US,USD\n", i, i, i)
		fmt.Fprintf(&orders, "O%04d-1,S%04d,C%04d,LIC,new,%d,2025-01-%02d\n", i, i, i, i%5+1, i%28+1)
		fmt.Fprintf(&orders, "O%04d-2,S%04d,C%04d,LIC,addQuantity,%d,2025-%02d-%02d\n", i, i, i, i%5+3, i%9+2, i%27+1)
	}
	return map[string]string{
		"accounts":  accounts.String(),
		"customers": customers.String(),
		"products":  "sku,name,kind,billing\nLIC,Seat,license,anniversary\n",
		"prices":    "sku,currency,unit_price\nLIC,USD,4.00\n",
		"tax-rates": "country,rate\nUS,0.05\n",
		"orders":    orders.String(),
		// A late fee of 1.5%, at least 1.00, 10 days after the due date
		// (§13); loaded by those that run the dunning stage (LateFees).
		"late-fees": "currency,after_days,rate,minimum\nUSD,10,0.015,1.00\n",
	}
}

// LateFees is the import kind of the late-fee policy of ManyAccounts, which
// Kinds leaves out: loaded after Kinds, it makes the dunning stage charge
// fees on the invoices no card pays.
const LateFees = "late-fees"

// Kinds lists the import kinds in the order they must be loaded.
var Kinds = []string{"accounts", "customers", "products", "prices", "tax-rates", "orders", "usage"}

// CardsOnFile is the SQL that gives each account matching where (an SQL
// condition on accounts) a valid sandbox card on file, as if the gateway
// had tokenized it: in bulk, without a gateway call per account. Its
// charges go through the gateway like any.
func CardsOnFile(prefix, where string) string {
	return fmt.Sprintf(`INSERT INTO sandbox.cards (token, behaviour, expiry_month, expiry_year)
		SELECT '%[1]s' || account_id, 'ok', 12, 2099 FROM accounts WHERE %[2]s;
		INSERT INTO payment_methods (account_id, gateway_token, brand, last4, expiry_month, expiry_year, holder_name, status, is_default)
		SELECT account_id, '%[1]s' || account_id, 'visa', '4242', 12, 2099, name, 'valid', true FROM accounts WHERE %[2]s`, prefix, where)
}
