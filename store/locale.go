package store

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	billingsql "github.com/openbilling/billing/sql"
)

var (
	accountSetLocale  = named[accountLocale](billingsql.Query("account_set_locale"))
	accountListLocale = billingsql.Query("account_list_locale")
)

// SetLocale sets the language an account is written to; found is false for
// an unknown account.
func SetLocale(ctx context.Context, q Queryer, accountID, locale string) (found bool, err error) {
	return affected(accountSetLocale.exec(ctx, q.ext(), accountLocale{accountID, locale}))
}

// AccountLocales maps each of the accounts to the locale chosen for it;
// an account without one is left out.
func AccountLocales(ctx context.Context, q Queryer, accountIDs []string) (map[string]string, error) {
	var rows []struct {
		AccountID string `db:"account_id"`
		Locale    string `db:"locale"`
	}
	if err := sqlx.SelectContext(ctx, q.ext(), &rows, accountListLocale, pq.Array(accountIDs)); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.AccountID] = r.Locale
	}
	return out, nil
}

// accountLocale are the parameters of account_set_locale.
type accountLocale struct {
	AccountID string `db:"account_id"`
	Locale    string `db:"locale"`
}
