// Package access decides who may see and do what (§11): the roles,
// the access tokens operators make, the sessions and sign-in links of the
// portal, the accounts a contact may sign in to, and the audit log. A
// secret is shown once, as it is made; the database keeps its SHA-256.
package access

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/openbilling/billing/store"
)

// The roles (§11).
const (
	RoleAccount  = "account"  // an account holder: their own account only
	RoleFinance  = "finance"  // reads every account and downloads every file
	RoleOperator = "operator" // finance plus credits, refunds and the audit log
)

// The kinds of secret: an operator-made token, a browser session, an
// e-mailed sign-in link.
const (
	KindToken   = "token"
	KindSession = "session"
	KindLink    = "link"
)

// Grant is what a live token, session or link lets its holder do.
type Grant = store.AccessToken

// Listed is a token or live session as billing token list shows it.
type Listed = store.ListedToken

// Account is an account as a search or a contact's sign-in lists it.
type Account = store.AccountRow

// AuditEntry is one line of the audit log.
type AuditEntry = store.AuditEntry

// CreateToken makes an access token for an account holder (accountID set,
// role RoleAccount) or a staff role, and returns its secret, which is
// shown once and kept only as a hash (§11).
func CreateToken(ctx context.Context, db store.Queryer, role, accountID, label string) (secret string, id int64, err error) {
	switch {
	case role == RoleAccount && accountID == "":
		return "", 0, errors.New("an account holder's token needs --account")
	case role != RoleAccount && accountID != "":
		return "", 0, errors.New("give --account or --role, not both")
	case role != RoleAccount && role != RoleFinance && role != RoleOperator:
		return "", 0, fmt.Errorf("role %q is not finance or operator", role)
	case len(label) > 200:
		return "", 0, errors.New("the label is longer than 200 characters")
	}
	if accountID != "" {
		if found, err := AccountExists(ctx, db, accountID); err != nil {
			return "", 0, err
		} else if !found {
			return "", 0, fmt.Errorf("%w: %s", store.ErrNoAccount, accountID)
		}
	}
	secret = newSecret("bt_")
	id, err = store.InsertAccessToken(ctx, db, store.NewAccessToken{Kind: KindToken, SecretHash: hash(secret), Role: role,
		AccountID: accountID, Label: label})
	return secret, id, err
}

// Find returns the live grant of secret, of the kind given, at now.
func Find(ctx context.Context, db store.Queryer, secret, kind string, now time.Time) (Grant, bool, error) {
	g, found, err := store.FindAccessToken(ctx, db, hash(secret), now)
	if err != nil || !found || g.Kind != kind {
		return Grant{}, false, err
	}
	return g, true, nil
}

// OpenSession starts a browser session, until expires, for what from
// grants, and returns its secret (the session cookie) and its grant.
func OpenSession(ctx context.Context, db store.Queryer, from Grant, expires time.Time) (string, Grant, error) {
	secret := newSecret("bs_")
	id, err := store.InsertAccessToken(ctx, db, store.NewAccessToken{Kind: KindSession, SecretHash: hash(secret),
		Role: from.Role, AccountID: from.AccountID, Label: from.Label, ParentID: from.ID, ExpiresAt: &expires})
	if err != nil {
		return "", Grant{}, err
	}
	return secret, Grant{ID: id, Kind: KindSession, Role: from.Role, AccountID: from.AccountID, Label: from.Label, ParentID: from.ID}, nil
}

// NewSignInLink makes a sign-in link to an account for the contact at
// email, live until expires, and returns its secret.
func NewSignInLink(ctx context.Context, db store.Queryer, accountID, email string, expires time.Time) (string, error) {
	secret := newSecret("bl_")
	_, err := store.InsertAccessToken(ctx, db, store.NewAccessToken{Kind: KindLink, SecretHash: hash(secret),
		Role: RoleAccount, AccountID: accountID, Label: "sign-in link to " + email, ExpiresAt: &expires})
	return secret, err
}

// UseSignInLink spends a sign-in link: found once, for a live unused link.
func UseSignInLink(ctx context.Context, db store.Queryer, secret string, now time.Time) (Grant, bool, error) {
	return store.UseSignInLink(ctx, db, hash(secret), now)
}

// Revoke revokes a token or session; found is false when no live one has
// that id.
func Revoke(ctx context.Context, db store.Queryer, id int64, now time.Time) (found bool, err error) {
	return store.RevokeAccessToken(ctx, db, id, now)
}

// Tokens lists operator tokens and the sessions live at now.
func Tokens(ctx context.Context, db store.Queryer, now time.Time) ([]Listed, error) {
	return store.AccessTokens(ctx, db, now)
}

// AccountExists reports whether an account of that id exists.
func AccountExists(ctx context.Context, db store.Queryer, accountID string) (bool, error) {
	_, found, err := store.AccountContact(ctx, db, accountID)
	return found, err
}

// AccountsOf lists the accounts whose contact is email, which a sign-in
// link may open.
func AccountsOf(ctx context.Context, db store.Queryer, email string) ([]Account, error) {
	return store.AccountsByEmail(ctx, db, email)
}

// SearchAccounts returns up to limit accounts whose id or name contains text.
func SearchAccounts(ctx context.Context, db store.Queryer, text string, limit int) ([]Account, error) {
	return store.SearchAccounts(ctx, db, text, limit)
}

// Audit appends an entry to the audit log.
func Audit(ctx context.Context, db store.Queryer, e AuditEntry) error { return store.Audit(ctx, db, e) }

// AuditLog returns up to limit entries before entry id before (0: the
// newest), newest first, of one account or all.
func AuditLog(ctx context.Context, db store.Queryer, before int64, accountID string, limit int) ([]AuditEntry, error) {
	return store.AuditLog(ctx, db, before, accountID, limit)
}

// newSecret is a fresh secret: 32 random bytes, URL-safe, with a prefix
// that says what it is.
func newSecret(prefix string) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// hash is what the database keeps of a secret.
func hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// AccountLocale is the locale chosen for an account, or "" when none was.
func AccountLocale(ctx context.Context, db store.Queryer, accountID string) (string, error) {
	locales, err := store.AccountLocales(ctx, db, []string{accountID})
	return locales[accountID], err
}
