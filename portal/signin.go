package portal

import (
	"fmt"
	"net/http"
	netmail "net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/openbilling/billing/access"
	"github.com/openbilling/billing/locale"
	"github.com/openbilling/billing/mail"
)

// home sends an account holder to their invoices and staff to the search.
func (s *Server) home(w http.ResponseWriter, r *http.Request, v *viewer) {
	if v.staff() {
		http.Redirect(w, r, "/accounts", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/accounts/"+pathEscape(v.AccountID)+"/invoices", http.StatusSeeOther)
}

func (s *Server) signinPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	s.render(w, r, http.StatusOK, "signin", view{Title: "Sign in", Viewer: v, Data: s.Mail != nil})
}

// limited answers 429 when the client has tried to sign in too often.
func (s *Server) limited(w http.ResponseWriter, r *http.Request, l *limiter, key string) bool {
	ok, wait := l.allow(key, s.now())
	if ok {
		return false
	}
	s.audit(r, nil, "signin_rate_limited", key, "refused")
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	s.fail(w, r, nil, http.StatusTooManyRequests, "rate_limited", "Too many sign-in attempts. Wait a few minutes and try again.")
	return true
}

// signinEmail e-mails a single-use sign-in link, valid 15 minutes, to an
// account's contact (§11). The answer is the same whether or not the
// address is an account's, so it tells no one which addresses are.
func (s *Server) signinEmail(w http.ResponseWriter, r *http.Request, v *viewer) {
	if s.limited(w, r, s.signinByAddr, s.remoteAddr(r)) {
		return
	}
	if s.Mail == nil {
		s.fail(w, r, v, http.StatusServiceUnavailable, "email_not_configured",
			"Sign-in by e-mail is not set up on this server. Ask your operator for an access token.")
		return
	}
	addr, err := netmail.ParseAddress(strings.TrimSpace(r.PostFormValue("email")))
	if err != nil || len(addr.Address) > 254 {
		s.render(w, r, http.StatusBadRequest, "signin", view{Title: "Sign in", Error: "That is not an e-mail address.", Data: true})
		return
	}
	email := strings.ToLower(addr.Address)
	if s.limited(w, r, s.signinByEmail, email) {
		return
	}
	accounts, err := access.AccountsOf(r.Context(), s.DB, email)
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	if len(accounts) == 0 {
		s.audit(r, nil, "signin_link_requested", email, "unknown_address")
	} else if err := s.sendLinks(r, email, accounts); err != nil {
		s.internal(w, r, v, err)
		return
	}
	s.render(w, r, http.StatusOK, "signin_sent", view{Title: "Check your e-mail", Data: email})
}

// sendLinks e-mails one link per account the address is the contact of.
// The links go straight to the mail server, not through the outbox: their
// secrets are never stored, and a late link is worth nothing.
func (s *Server) sendLinks(r *http.Request, email string, accounts []access.Account) error {
	now := s.now()
	expires := now.Add(linkLifetime)
	p := locale.For(s.localeOf(r, nil, "")) // the language of the page it was asked from
	var body strings.Builder
	fmt.Fprintf(&body, "%s\n\n", p.T("signin.mail_intro"))
	for _, a := range accounts {
		secret, err := access.NewSignInLink(r.Context(), s.DB, a.AccountID, email, expires)
		if err != nil {
			return err
		}
		fmt.Fprintf(&body, "%s\n%s/signin/link?t=%s\n\n", p.T("signin.mail_account", "Account", a.AccountID, "Name", a.Name), strings.TrimRight(s.PublicURL, "/"), secret)
	}
	fmt.Fprintf(&body, "%s\n", p.T("signin.mail_end", "Until", expires.UTC().Format("2006-01-02 15:04")))
	msg := mail.Message{ID: fmt.Sprintf("<signin-%d@billing>", now.UnixNano()), AccountID: accounts[0].AccountID,
		To: email, Subject: p.T("Your sign-in link"), Body: body.String(), CreatedAt: now}
	if err := s.Mail.Deliver(r.Context(), msg); err != nil {
		s.audit(r, nil, "signin_link_sent", email, "mail_refused")
		return fmt.Errorf("sending the sign-in link: %w", err)
	}
	for _, a := range accounts {
		s.audit(withAccount(r, a.AccountID), nil, "signin_link_sent", email, "ok")
	}
	return nil
}

// withAccount is the request as the audit log of another account sees it.
func withAccount(r *http.Request, accountID string) *http.Request {
	r2 := r.Clone(r.Context())
	r2.SetPathValue("account", accountID)
	return r2
}

// signinLinkPage is where an e-mailed link lands: it asks for a click
// before it spends the link, so a mail scanner that follows links does not
// use it up. The secret stays in the query, which is never logged.
func (s *Server) signinLinkPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	s.render(w, r, http.StatusOK, "signin_link", view{Title: "Sign in", Viewer: v, Data: r.URL.Query().Get("t")})
}

// signinLink spends a sign-in link and opens a session.
func (s *Server) signinLink(w http.ResponseWriter, r *http.Request, _ *viewer) {
	if s.limited(w, r, s.signinByAddr, s.remoteAddr(r)) {
		return
	}
	t, found, err := access.UseSignInLink(r.Context(), s.DB, r.PostFormValue("t"), s.now())
	if err != nil {
		s.internal(w, r, nil, err)
		return
	}
	if !found {
		s.audit(r, nil, "signin", "link", "expired_or_used")
		s.render(w, r, http.StatusBadRequest, "signin", view{Title: "Sign in", Data: s.Mail != nil,
			Error: "This sign-in link has expired or has been used already. Ask for a new one below."})
		return
	}
	s.signedIn(w, r, t, "link")
}

// signinToken opens a session with an operator-made access token.
func (s *Server) signinToken(w http.ResponseWriter, r *http.Request, _ *viewer) {
	if s.limited(w, r, s.signinByAddr, s.remoteAddr(r)) {
		return
	}
	t, found, err := access.Find(r.Context(), s.DB, strings.TrimSpace(r.PostFormValue("token")), access.KindToken, s.now())
	if err != nil {
		s.internal(w, r, nil, err)
		return
	}
	if !found {
		s.audit(r, nil, "signin", "token", "refused")
		s.render(w, r, http.StatusUnauthorized, "signin", view{Title: "Sign in", Data: s.Mail != nil,
			Error: "That access token is not valid: mistyped, revoked, or never issued."})
		return
	}
	s.signedIn(w, r, t, "token")
}

func (s *Server) signedIn(w http.ResponseWriter, r *http.Request, t access.Grant, how string) {
	v, err := s.openSession(w, r, t)
	if err != nil {
		s.internal(w, r, nil, err)
		return
	}
	s.audit(withAccount(r, v.AccountID), v, "signin", how, "ok")
	s.home(w, r, v)
}

// signout ends the session.
func (s *Server) signout(w http.ResponseWriter, r *http.Request, v *viewer) {
	if _, err := access.Revoke(r.Context(), s.DB, v.TokenID, s.now()); err != nil {
		s.internal(w, r, v, err)
		return
	}
	s.audit(r, v, "signout", "", "ok")
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", Expires: time.Unix(0, 0), MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure()})
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}
