package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/invoicing"
	billingsql "github.com/openbilling/billing/sql"
)

// The portal's reads and writes (§11): access tokens, the audit log,
// account search and the pages' slices of invoices and lines.
var (
	accessTokenInsert       = named[newToken](billingsql.Query("access_token_insert"))
	accessTokenFind         = named[secretAt](billingsql.Query("access_token_find"))
	accessTokenUseLink      = named[secretAt](billingsql.Query("access_token_use_link"))
	accessTokenList         = billingsql.Query("access_token_list")
	accessTokenRevoke       = named[tokenAt](billingsql.Query("access_token_revoke"))
	auditInsert             = namedRow[AuditEntry](billingsql.Query("audit_insert"))
	auditList               = named[auditPage](billingsql.Query("audit_list"))
	accountSearch           = named[textLimit](billingsql.Query("account_search"))
	invoicePage             = named[InvoiceFilter](billingsql.Query("invoice_page"))
	invoiceYears            = billingsql.Query("invoice_years")
	invoiceLinePage         = named[linePage](billingsql.Query("invoice_line_page"))
	invoiceFileListForMonth = named[accountMonth](billingsql.Query("invoice_file_list_for_month"))
	invoiceGetForEmit       = billingsql.Query("invoice_get_for_emit")
	invoiceFileListStat     = billingsql.Query("invoice_file_list_stat")
)

// NewAccessToken is an access token to record; only SecretHash of its secret.
type NewAccessToken struct {
	Kind       string // token, session or link
	SecretHash []byte // SHA-256 of the secret
	Role       string // account, finance or operator
	AccountID  string // for role account
	Label      string
	ParentID   int64 // the token or link a session was opened with, or 0
	ExpiresAt  *time.Time
}

// InsertAccessToken records a token and returns its id.
func InsertAccessToken(ctx context.Context, q Queryer, t NewAccessToken) (int64, error) {
	var parent sql.NullInt64
	if t.ParentID != 0 {
		parent = sql.NullInt64{Int64: t.ParentID, Valid: true}
	}
	var id int64
	err := accessTokenInsert.get(ctx, q.ext(), &id, newToken{t.Kind, t.SecretHash, t.Role, t.AccountID, t.Label, parent, t.ExpiresAt})
	return id, err
}

// AccessToken is a live token as a request presents it.
type AccessToken struct {
	ID        int64  `db:"token_id"`
	Kind      string `db:"kind"`
	Role      string `db:"role"`
	AccountID string `db:"account_id"`
	Label     string `db:"label"`
	ParentID  int64  `db:"parent_id"`
	Used      bool   `db:"used"`
}

// FindAccessToken returns the live token with this secret hash at now.
func FindAccessToken(ctx context.Context, q Queryer, hash []byte, now time.Time) (AccessToken, bool, error) {
	return getNamed[AccessToken](ctx, q.ext(), accessTokenFind, secretAt{hash, now})
}

// UseSignInLink spends a sign-in link: found once, for a live unused link.
func UseSignInLink(ctx context.Context, q Queryer, hash []byte, now time.Time) (AccessToken, bool, error) {
	return getNamed[AccessToken](ctx, q.ext(), accessTokenUseLink, secretAt{hash, now})
}

// ListedToken is a token or live session as billing token list shows it.
type ListedToken struct {
	AccessToken
	CreatedAt time.Time  `db:"created_at"`
	ExpiresAt *time.Time `db:"expires_at"`
	RevokedAt *time.Time `db:"revoked_at"`
}

// AccessTokens lists operator tokens and the sessions live at now.
func AccessTokens(ctx context.Context, q Queryer, now time.Time) ([]ListedToken, error) {
	var out []ListedToken
	err := sqlx.SelectContext(ctx, q.ext(), &out, accessTokenList, now)
	return out, err
}

// RevokeAccessToken revokes a token or session; found is false when no
// live one has that id.
func RevokeAccessToken(ctx context.Context, q Queryer, id int64, now time.Time) (bool, error) {
	return affected(accessTokenRevoke.exec(ctx, q.ext(), tokenAt{id, now}))
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID         int64     `db:"entry_id"`
	At         time.Time `db:"at"`
	Actor      string    `db:"actor"`
	Role       string    `db:"role"`
	AccountID  string    `db:"account_id"`
	RemoteAddr string    `db:"remote_addr"`
	Action     string    `db:"action"`
	Object     string    `db:"object"`
	Outcome    string    `db:"outcome"`
}

// Audit appends an entry to the audit log.
func Audit(ctx context.Context, q Queryer, e AuditEntry) error {
	_, err := auditInsert.exec(ctx, q.ext(), e)
	return err
}

// AuditLog returns up to limit entries before entry id before (0: the
// newest), newest first, of one account or all.
func AuditLog(ctx context.Context, q Queryer, before int64, accountID string, limit int) ([]AuditEntry, error) {
	var out []AuditEntry
	err := auditList.sel(ctx, q.ext(), &out, auditPage{before, accountID, limit})
	return out, err
}

// AccountRow is an account as the portal's search lists it.
type AccountRow struct {
	AccountID string `db:"account_id"`
	Name      string `db:"name"`
	Email     string `db:"email"`
	Currency  string `db:"currency"`
}

// SearchAccounts returns up to limit accounts whose id or name contains text.
func SearchAccounts(ctx context.Context, q Queryer, text string, limit int) ([]AccountRow, error) {
	var out []AccountRow
	err := accountSearch.sel(ctx, q.ext(), &out, textLimit{text, limit})
	return out, err
}

// InvoiceFilter selects a page of an account's invoices.
type InvoiceFilter struct {
	AccountID string `db:"account_id"`
	Status    string `db:"status"` // open, partially_paid, paid, or "" for all
	Currency  string `db:"currency"`
	Year      int    `db:"year"` // 0 for all
	Limit     int    `db:"limit"`
	Offset    int    `db:"offset"`
}

// InvoicePage returns one page of an account's invoices, newest first, and
// how many match the filter in all.
func InvoicePage(ctx context.Context, q Queryer, f InvoiceFilter) ([]invoicing.Issued, int, error) {
	var rows []struct {
		invoicing.Issued
		Matching int `db:"matching"`
	}
	if err := invoicePage.sel(ctx, q.ext(), &rows, f); err != nil {
		return nil, 0, err
	}
	out := make([]invoicing.Issued, len(rows))
	matching := 0
	for i, r := range rows {
		out[i], matching = r.Issued, r.Matching
	}
	return out, matching, nil
}

// InvoiceFacet is a year and currency an account has invoices in.
type InvoiceFacet struct {
	Year     int    `db:"year"`
	Currency string `db:"currency"`
}

// InvoiceFacets lists the years and currencies of an account's invoices.
func InvoiceFacets(ctx context.Context, q Queryer, accountID string) ([]InvoiceFacet, error) {
	var out []InvoiceFacet
	err := sqlx.SelectContext(ctx, q.ext(), &out, invoiceYears, accountID)
	return out, err
}

// InvoiceLinePage returns lines from to through of an invoice (1 is the first).
func InvoiceLinePage(ctx context.Context, q Queryer, number string, from, through int) ([]invoicing.IssuedLine, error) {
	var out []invoicing.IssuedLine
	err := invoiceLinePage.sel(ctx, q.ext(), &out, linePage{number, from, through})
	return out, err
}

// MonthFiles returns the recorded files of an account's invoices issued in
// the month that begins on first.
func MonthFiles(ctx context.Context, q Queryer, accountID string, first calendar.Date) ([]InvoiceFile, error) {
	var out []InvoiceFile
	err := invoiceFileListForMonth.sel(ctx, q.ext(), &out, accountMonth{accountID, first, calendar.NewDate(first.Year(), first.Month()+1, 1)})
	return out, err
}

// InvoiceForEmit returns one invoice as the emit stage reads it, with its
// recorded files.
func InvoiceForEmit(ctx context.Context, q Queryer, number string) (invoicing.Issued, []StoredFile, bool, error) {
	inv, found, err := getOne[invoicing.Issued](ctx, q.ext(), invoiceGetForEmit, number)
	if err != nil || !found {
		return inv, nil, found, err
	}
	var files []StoredFile
	err = sqlx.SelectContext(ctx, q.ext(), &files, invoiceFileListStat, pq.Array([]string{number}))
	return inv, files, true, err
}

var accountListByEmail = billingsql.Query("account_list_by_email")

// AccountsByEmail returns the accounts whose contact is this address.
func AccountsByEmail(ctx context.Context, q Queryer, email string) ([]AccountRow, error) {
	var out []AccountRow
	err := sqlx.SelectContext(ctx, q.ext(), &out, accountListByEmail, email)
	return out, err
}

// secretAt are the parameters of access_token_find.
type secretAt struct {
	Hash []byte    `db:"secret_hash"`
	Now  time.Time `db:"now"`
}

// tokenAt are the parameters of access_token_revoke.
type tokenAt struct {
	ID  int64     `db:"token_id"`
	Now time.Time `db:"now"`
}

// textLimit are the parameters of account_search.
type textLimit struct {
	Text  string `db:"text"`
	Limit int    `db:"limit"`
}

// auditPage are the parameters of audit_list.
type auditPage struct {
	Before    int64  `db:"before"`
	AccountID string `db:"account_id"`
	Limit     int    `db:"limit"`
}

// accountMonth are the parameters of invoice_file_list_for_month.
type accountMonth struct {
	AccountID string        `db:"account_id"`
	First     calendar.Date `db:"first"`
	Next      calendar.Date `db:"next"`
}

// linePage are the parameters of invoice_line_page.
type linePage struct {
	Number  string `db:"invoice_number"`
	From    int    `db:"from"`
	Through int    `db:"through"`
}

// newToken are the parameters of access_token_insert.
type newToken struct {
	Kind       string        `db:"kind"`
	SecretHash []byte        `db:"secret_hash"`
	Role       string        `db:"role"`
	AccountID  string        `db:"account_id"`
	Label      string        `db:"label"`
	Parent     sql.NullInt64 `db:"parent_id"`
	ExpiresAt  *time.Time    `db:"expires_at"`
}
