package portal

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/openbilling/billing/access"
	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/locale"
)

// localeCookie keeps the language a visitor chose on the portal.
const localeCookie = "billing_locale"

// localeOf is the language of a page: the visitor's choice, then, for an
// account holder on their account's pages, the locale chosen for the
// account, then the browser's Accept-Language, then English (docs/PORTAL.md
// "Languages"). Staff read in their own language, not the account's.
func (s *Server) localeOf(r *http.Request, v *viewer, account string) string {
	if c, err := r.Cookie(localeCookie); err == nil {
		if l, ok := locale.Parse(c.Value); ok {
			return l
		}
	}
	if account == "" && v != nil && !v.staff() {
		account = v.AccountID // a holder's own pages outside an account's path
	}
	if v != nil && !v.staff() && account != "" {
		l, err := access.AccountLocale(r.Context(), s.DB, account)
		if err != nil {
			s.Log.Warn("portal_locale_unread", "account", account, "error", err.Error())
		} else if l != "" {
			return l
		}
	}
	return locale.First(locale.FromAcceptLanguage(r.Header.Get("Accept-Language")))
}

// setLocale is GET /locale?set=ko&back=/path: the visitor's choice of
// language, kept in a cookie for a year, then back to the page they were
// on (a path of this portal only).
func (s *Server) setLocale(w http.ResponseWriter, r *http.Request, v *viewer) {
	l, ok := locale.Parse(r.URL.Query().Get("set"))
	if !ok {
		s.fail(w, r, v, http.StatusBadRequest, "bad_locale", "Choose one of the languages offered.")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: localeCookie, Value: l, Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	http.Redirect(w, r, ownPath(r.URL.Query().Get("back")), http.StatusSeeOther)
}

// ownPath is back when it is a path of this portal, else "/": never another
// site, however a browser would read it ("//host", "/\\host", or a tab or
// newline a browser drops from "/<TAB>/host").
func ownPath(back string) string {
	u, err := url.Parse(back)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") ||
		strings.ContainsAny(back, "\\\t\r\n") {
		return "/"
	}
	return back
}

// languageChoice is one entry of the pages' language chooser.
type languageChoice struct {
	Locale, Name, Href string
	Current            bool
}

// T is a sentence of the page's language.
func (v view) T(id string, kv ...any) string { return v.P.T(id, kv...) }

// Code is a code of the product (a status, a type) as the page's language
// names it; English shows it with spaces for its underscores.
func (v view) Code(prefix, code string) string {
	if s := v.P.Code(prefix, code); s != code {
		return s
	}
	return strings.ReplaceAll(code, "_", " ")
}

// Date is a date as the page's language writes it; nil is "".
func (v view) Date(d any) string {
	switch d := d.(type) {
	case calendar.Date:
		return v.P.Date(d)
	case *calendar.Date:
		if d == nil {
			return ""
		}
		return v.P.Date(*d)
	case string:
		if parsed, err := calendar.ParseDate(d); err == nil {
			return v.P.Date(parsed)
		}
		return d
	}
	return ""
}

// Strong is the sentence id with its placeholder name standing for value,
// shown in bold (its text escaped like the rest).
func (v view) Strong(id, name, value string) template.HTML {
	before, after, _ := strings.Cut(v.P.T(id, name, "\x00"), "\x00")
	return template.HTML(template.HTMLEscapeString(before) + "<strong>" + template.HTMLEscapeString(value) + "</strong>" + template.HTMLEscapeString(after))
}

// Languages are the chooser's entries, each coming back to this page.
func (v view) Languages() []languageChoice {
	out := make([]languageChoice, len(locale.Supported))
	for i, l := range locale.Supported {
		out[i] = languageChoice{Locale: l, Name: locale.Names[l], Current: l == v.P.Locale,
			Href: "/locale" + string(queryOf("set", l, "back", v.Path))}
	}
	return out
}
