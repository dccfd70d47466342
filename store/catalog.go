package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/money"
	billingsql "github.com/openbilling/billing/sql"
)

// Account is a billed party (§2) as stored.
type Account struct {
	ID         string         `db:"account_id"`
	Name       string         `db:"name"`
	Country    string         `db:"country"`
	Currency   money.Currency `db:"currency"`
	BillingDay int            `db:"billing_day"`
}

// PriceTier is one tier of a sku's price in a currency from a date on
// (From null: since always), in the order a schedule is built.
type PriceTier struct {
	SKU          string                  `db:"sku"`
	Currency     money.Currency          `db:"currency"`
	From         sql.Null[calendar.Date] `db:"effective_from"`
	FromQuantity decimal.Decimal         `db:"from_quantity"`
	UnitPrice    decimal.Decimal         `db:"unit_price"`
}

// TaxRate is a country's rate from a date on (From null: since always).
type TaxRate struct {
	Country string                  `db:"country"`
	From    sql.Null[calendar.Date] `db:"effective_from"`
	Rate    decimal.Decimal         `db:"rate"`
}

// UnbilledRow is one open window's charges so far in one currency.
type UnbilledRow struct {
	AccountID, Billing     string
	WindowStart, WindowEnd calendar.Date
	Currency               string
	Lines                  int64
	Subtotal               decimal.Decimal
}

// ErrNoAccount is an account id that does not exist: the one sentinel the
// services wrap with the id, whichever read found it missing.
var ErrNoAccount = errors.New("no such account")

// The queries of the catalog and of accounts, resolved at start-up.
var (
	accountGet                = billingsql.Query("account_get")
	accountList               = billingsql.Query("account_list")
	priceList                 = billingsql.Query("price_list")
	taxRateList               = billingsql.Query("tax_rate_list")
	unbilledDeleteForAccounts = billingsql.Query("unbilled_charges_delete_for_accounts")
	unbilledInsertMany        = named[unbilledColumns](billingsql.Query("unbilled_charges_insert_many"))
)

// GetAccount returns one account; found is false when there is none.
func GetAccount(ctx context.Context, q Queryer, id string) (a Account, found bool, err error) {
	err = sqlx.GetContext(ctx, q.ext(), &a, accountGet, id)
	if errors.Is(err, sql.ErrNoRows) {
		return a, false, nil
	}
	return a, err == nil, err
}

// ListAccounts returns the accounts of ids, or every account when ids is
// nil, in id order.
func ListAccounts(ctx context.Context, q Queryer, ids []string) ([]Account, error) {
	var out []Account
	err := sqlx.SelectContext(ctx, q.ext(), &out, accountList, pq.Array(ids))
	return out, err
}

// PriceTiers returns every price tier, by sku, currency and start date, tiers in order.
func PriceTiers(ctx context.Context, q Queryer) ([]PriceTier, error) {
	var out []PriceTier
	err := sqlx.SelectContext(ctx, q.ext(), &out, priceList)
	return out, err
}

// TaxRates returns every tax rate.
func TaxRates(ctx context.Context, q Queryer) ([]TaxRate, error) {
	var out []TaxRate
	err := sqlx.SelectContext(ctx, q.ext(), &out, taxRateList)
	return out, err
}

// ReplaceUnbilledCharges replaces the figures of the accounts' open windows
// with rows, in one statement each (§9's estimated next balance).
func ReplaceUnbilledCharges(ctx context.Context, tx *Tx, accountIDs []string, rows []UnbilledRow, asOf time.Time) error {
	if _, err := tx.x.ExecContext(ctx, unbilledDeleteForAccounts, pq.Array(accountIDs)); err != nil {
		return err
	}
	p := unbilledColumns{AsOf: asOf}
	for _, r := range rows {
		p.Accounts, p.Billings, p.Currencies = append(p.Accounts, r.AccountID), append(p.Billings, r.Billing), append(p.Currencies, r.Currency)
		p.Starts, p.Ends = append(p.Starts, r.WindowStart.String()), append(p.Ends, r.WindowEnd.String())
		p.Subtotals, p.Lines = append(p.Subtotals, r.Subtotal.String()), append(p.Lines, r.Lines)
	}
	_, err := unbilledInsertMany.exec(ctx, tx.x, p)
	return err
}

// unbilledColumns are the parameters of unbilled_charges_insert_many.
type unbilledColumns struct {
	Accounts   []string  `db:"accounts"`
	Billings   []string  `db:"billings"`
	Starts     []string  `db:"window_starts"`
	Ends       []string  `db:"window_ends"`
	Currencies []string  `db:"currencies"`
	Lines      []int64   `db:"lines"`
	Subtotals  []string  `db:"subtotals"`
	AsOf       time.Time `db:"as_of"`
}
