package portal

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/openbilling/billing/access"
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
func (v *viewer) staff() bool {
	return v != nil && (v.Role == access.RoleFinance || v.Role == access.RoleOperator)
}

// operator is true for operators.
func (v *viewer) operator() bool { return v != nil && v.Role == access.RoleOperator }

// sees is true when the viewer may see the account (§11: an account
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
	if v.Role == access.RoleAccount {
		who = "account " + v.AccountID
	}
	if v.Label != "" {
		who += " (" + v.Label + ")"
	}
	return fmt.Sprintf("%s, token %d", who, v.TokenID)
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
	return s.lookup(r.Context(), c.Value, access.KindSession)
}

// fromBearer is the viewer of an API request's bearer token, or nil.
func (s *Server) fromBearer(r *http.Request) (*viewer, error) {
	h := r.Header.Get("Authorization")
	secret, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || secret == "" {
		return nil, nil
	}
	return s.lookup(r.Context(), strings.TrimSpace(secret), access.KindToken)
}

func (s *Server) lookup(ctx context.Context, secret, kind string) (*viewer, error) {
	g, found, err := access.Find(ctx, s.DB, secret, kind, s.now())
	if err != nil || !found {
		return nil, err
	}
	return viewerOf(g), nil
}

func viewerOf(g access.Grant) *viewer {
	return &viewer{TokenID: g.ID, Role: g.Role, AccountID: g.AccountID, Label: g.Label}
}

// openSession starts a browser session for what a link or token grants,
// and sets its cookie.
func (s *Server) openSession(w http.ResponseWriter, r *http.Request, from access.Grant) (*viewer, error) {
	expires := s.now().Add(sessionLifetime)
	secret, g, err := access.OpenSession(r.Context(), s.DB, from, expires)
	if err != nil {
		return nil, err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", Expires: expires,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure()})
	return viewerOf(g), nil
}

// secure is true when the portal is reached over TLS: its cookies are then
// never sent in clear.
func (s *Server) secure() bool { return strings.HasPrefix(s.PublicURL, "https://") }
