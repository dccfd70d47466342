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
	accessTokenInsert       = billingsql.Query("access_token_insert")
	accessTokenFind         = billingsql.Query("access_token_find")
	accessTokenUseLink      = billingsql.Query("access_token_use_link")
	accessTokenList         = billingsql.Query("access_token_list")
	accessTokenRevoke       = billingsql.Query("access_token_revoke")
	auditInsert             = billingsql.Query("audit_insert")
	auditList               = billingsql.Query("audit_list")
	accountSearch           = billingsql.Query("account_search")
	invoicePage             = billingsql.Query("invoice_page")
	invoiceYears            = billingsql.Query("invoice_years")
	invoiceLinePage         = billingsql.Query("invoice_line_page")
	invoiceFileListForMonth = billingsql.Query("invoice_file_list_for_month")
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
	err := sqlx.GetContext(ctx, q.ext(), &id, accessTokenInsert, t.Kind, t.SecretHash, t.Role, t.AccountID, t.Label, parent, t.ExpiresAt)
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
	return getOne[AccessToken](ctx, q.ext(), accessTokenFind, hash, now)
}

// UseSignInLink spends a sign-in link: found once, for a live unused link.
func UseSignInLink(ctx context.Context, q Queryer, hash []byte, now time.Time) (AccessToken, bool, error) {
	return getOne[AccessToken](ctx, q.ext(), accessTokenUseLink, hash, now)
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
	return affected(q.ext().ExecContext(ctx, accessTokenRevoke, id, now))
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
	_, err := q.ext().ExecContext(ctx, auditInsert, e.At, e.Actor, e.Role, e.AccountID, e.RemoteAddr, e.Action, e.Object, e.Outcome)
	return err
}

// AuditLog returns up to limit entries before entry id before (0: the
// newest), newest first, of one account or all.
func AuditLog(ctx context.Context, q Queryer, before int64, accountID string, limit int) ([]AuditEntry, error) {
	var out []AuditEntry
	err := sqlx.SelectContext(ctx, q.ext(), &out, auditList, before, accountID, limit)
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
	err := sqlx.SelectContext(ctx, q.ext(), &out, accountSearch, text, limit)
	return out, err
}

// InvoiceFilter selects a page of an account's invoices.
type InvoiceFilter struct {
	AccountID string
	Status    string // open, partially_paid, paid, or "" for all
	Currency  string
	Year      int // 0 for all
	Limit     int
	Offset    int
}

// InvoicePage returns one page of an account's invoices, newest first, and
// how many match the filter in all.
func InvoicePage(ctx context.Context, q Queryer, f InvoiceFilter) ([]invoicing.Issued, int, error) {
	var rows []struct {
		invoicing.Issued
		Matching int `db:"matching"`
	}
	if err := sqlx.SelectContext(ctx, q.ext(), &rows, invoicePage, f.AccountID, f.Status, f.Currency, f.Year, f.Limit, f.Offset); err != nil {
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
	err := sqlx.SelectContext(ctx, q.ext(), &out, invoiceLinePage, number, from, through)
	return out, err
}

// MonthFiles returns the recorded files of an account's invoices issued in
// the month that begins on first.
func MonthFiles(ctx context.Context, q Queryer, accountID string, first calendar.Date) ([]InvoiceFile, error) {
	var out []InvoiceFile
	err := sqlx.SelectContext(ctx, q.ext(), &out, invoiceFileListForMonth, accountID, first, calendar.NewDate(first.Year(), first.Month()+1, 1))
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
