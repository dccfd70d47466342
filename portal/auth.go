package portal

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/openbilling/billing/store"
)

// The roles of SPEC §11.
const (
	RoleAccount  = "account"  // an account holder: their own account only
	RoleFinance  = "finance"  // reads every account and downloads every file
	RoleOperator = "operator" // finance plus credits, refunds and the audit log
)

// How long a sign-in link and a session live.
const (
	linkLifetime    = 15 * time.Minute
	sessionLifetime = 12 * time.Hour
)

// sessionCookie names the session's cookie.
const sessionCookie = "billing_session"

// viewer is who makes a request: the token or session it came with.
type viewer struct {
	TokenID   int64
	Role      string
	AccountID string // for an account holder
	Label     string
}

// staff is true for finance and operators, who see every account.
func (v *viewer) staff() bool { return v != nil && (v.Role == RoleFinance || v.Role == RoleOperator) }

// operator is true for operators.
func (v *viewer) operator() bool { return v != nil && v.Role == RoleOperator }

// sees is true when the viewer may see the account (SPEC §11: an account
// holder only their own).
func (v *viewer) sees(accountID string) bool {
	return v != nil && (v.staff() || v.AccountID == accountID)
}

// actor names the viewer in the audit log.
func (v *viewer) actor() string {
	if v == nil {
		return "anonymous"
	}
	who := v.Role
	if v.Role == RoleAccount {
		who = "account " + v.AccountID
	}
	if v.Label != "" {
		who += " (" + v.Label + ")"
	}
	return fmt.Sprintf("%s, token %d", who, v.TokenID)
}

// newSecret is a fresh secret: 32 random bytes, URL-safe, with a prefix
// that says what it is.
func newSecret(prefix string) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret is what the database keeps of a secret.
func hashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// ErrNoAccount is a token asked for an account that does not exist.
var ErrNoAccount = errors.New("no such account")

// CreateToken makes an access token for an account holder (accountID set,
// role RoleAccount) or a staff role, and returns its secret, which is
// shown once and kept only as a hash (SPEC §11).
func CreateToken(ctx context.Context, db *store.DB, role, accountID, label string) (secret string, id int64, err error) {
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
		if _, found, err := store.AccountContact(ctx, db, accountID); err != nil {
			return "", 0, err
		} else if !found {
			return "", 0, fmt.Errorf("%w: %s", ErrNoAccount, accountID)
		}
	}
	secret = newSecret("bt_")
	id, err = store.InsertAccessToken(ctx, db, store.NewAccessToken{Kind: "token", SecretHash: hashSecret(secret), Role: role,
		AccountID: accountID, Label: label})
	return secret, id, err
}

// limiter bounds attempts per key in a sliding window of fixed slots: at
// most n in any period. It forgets keys whose window has passed.
type limiter struct {
	mu     sync.Mutex
	n      int
	period time.Duration
	seen   map[string][]time.Time
}

func newLimiter(n int, period time.Duration) *limiter {
	return &limiter{n: n, period: period, seen: map[string][]time.Time{}}
}

// allow records an attempt for key at now and reports whether it is within
// the limit; when not, also how long until the next would be.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.seen) > 100_000 { // bounded memory under a flood of keys
		for k, times := range l.seen {
			if now.Sub(times[len(times)-1]) > l.period {
				delete(l.seen, k)
			}
		}
	}
	recent := l.seen[key][:0]
	for _, t := range l.seen[key] {
		if now.Sub(t) < l.period {
			recent = append(recent, t)
		}
	}
	if len(recent) >= l.n {
		l.seen[key] = recent
		return false, l.period - now.Sub(recent[0])
	}
	l.seen[key] = append(recent, now)
	return true, 0
}

// remoteAddr is where a request comes from: the connection's address, or
// behind a trusted reverse proxy the address it appended to
// X-Forwarded-For.
func (s *Server) remoteAddr(r *http.Request) string {
	if s.BehindProxy {
		if fwd := r.Header.Values("X-Forwarded-For"); len(fwd) > 0 {
			parts := strings.Split(fwd[len(fwd)-1], ",")
			if ip := strings.TrimSpace(parts[len(parts)-1]); net.ParseIP(ip) != nil {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// fromSession is the viewer of a page request's session cookie, or nil.
func (s *Server) fromSession(r *http.Request) (*viewer, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	return s.lookup(r.Context(), c.Value, "session")
}

// fromBearer is the viewer of an API request's bearer token, or nil.
func (s *Server) fromBearer(r *http.Request) (*viewer, error) {
	h := r.Header.Get("Authorization")
	secret, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || secret == "" {
		return nil, nil
	}
	return s.lookup(r.Context(), strings.TrimSpace(secret), "token")
}

func (s *Server) lookup(ctx context.Context, secret, kind string) (*viewer, error) {
	t, found, err := store.FindAccessToken(ctx, s.DB, hashSecret(secret), s.now())
	if err != nil || !found || t.Kind != kind {
		return nil, err
	}
	return &viewer{TokenID: t.ID, Role: t.Role, AccountID: t.AccountID, Label: t.Label}, nil
}

// openSession starts a browser session for what a link or token grants,
// and sets its cookie.
func (s *Server) openSession(w http.ResponseWriter, r *http.Request, from store.AccessToken) (*viewer, error) {
	secret := newSecret("bs_")
	expires := s.now().Add(sessionLifetime)
	id, err := store.InsertAccessToken(r.Context(), s.DB, store.NewAccessToken{Kind: "session", SecretHash: hashSecret(secret),
		Role: from.Role, AccountID: from.AccountID, Label: from.Label, ParentID: from.ID, ExpiresAt: &expires})
	if err != nil {
		return nil, err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", Expires: expires,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure()})
	return &viewer{TokenID: id, Role: from.Role, AccountID: from.AccountID, Label: from.Label}, nil
}

// secure is true when the portal is reached over TLS: its cookies are then
// never sent in clear.
func (s *Server) secure() bool { return strings.HasPrefix(s.PublicURL, "https://") }
