// Package portal is `billing serve` (§11): the pages where account
// holders see and pay their invoices and finance downloads the files, and
// the JSON API under /api/v1 with the same rules. Pages are rendered on
// the server with html/template and work without JavaScript; access is
// checked on the server for every page, file and API call. The money moves
// through package payments, the files come from the emit stage's
// FileEmitter, and every read and write goes through package store.
package portal

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/openbilling/billing/access"
	"github.com/openbilling/billing/emit"
	"github.com/openbilling/billing/mail"
	"github.com/openbilling/billing/payments"
	"github.com/openbilling/billing/pipeline"
	"github.com/openbilling/billing/store"
	"github.com/openbilling/billing/webhooks"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Server serves the portal.
type Server struct {
	DB       *store.DB
	Payments *payments.Service
	Files    *emit.FileEmitter
	Pipeline *pipeline.Pipeline // an operator's credits and refunds
	Webhooks *webhooks.Service  // the operators' webhook endpoints (nil: none)
	// Mail delivers sign-in links; without it, sign-in by e-mail is refused
	// with a clear page, and tokens still work.
	Mail *mail.Sender
	// PublicURL is the address users reach the portal at, such as
	// https://billing.example.com: sign-in links point there, and an https
	// address makes cookies Secure.
	PublicURL string
	// BehindProxy trusts the last X-Forwarded-For address as the client's,
	// for the audit log and the sign-in rate limit.
	BehindProxy bool
	Log         *slog.Logger
	// Metrics, if set, gains the portal's request counters.
	Metrics prometheus.Registerer
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Hosted serves the sandbox's hosted pages under /sandbox/checkout/
	// (nil with a real provider, whose pages are its own, §9.1).
	Hosted http.Handler
	// FormTargets are the origins forms may be sent on to besides the
	// portal's own: a real provider's hosted page (https://checkout.stripe.com).
	FormTargets []string

	signinByAddr  *limiter // sign-in attempts per client address
	signinByEmail *limiter // sign-in links per e-mail address
	requests      *prometheus.CounterVec
	latency       *prometheus.HistogramVec
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Handler returns the portal's routes with their protections. health
// serves /healthz and /metrics.
func (s *Server) Handler(health http.Handler) (http.Handler, error) {
	if err := s.prepare(); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	if health != nil {
		mux.Handle("GET /healthz", health)
		mux.Handle("GET /metrics", health)
	}
	mux.Handle("GET /static/", http.FileServerFS(assets))

	mux.HandleFunc("GET /{$}", s.page(s.home))
	mux.HandleFunc("GET /signin", s.public(s.signinPage))
	mux.HandleFunc("GET /locale", s.public(s.setLocale))
	mux.HandleFunc("POST /signin/email", s.public(s.signinEmail))
	mux.HandleFunc("GET /signin/link", s.public(s.signinLinkPage))
	mux.HandleFunc("POST /signin/link", s.public(s.signinLink))
	mux.HandleFunc("POST /signin/token", s.public(s.signinToken))
	mux.HandleFunc("POST /signout", s.page(s.signout))

	mux.HandleFunc("GET /accounts", s.page(s.accountsPage))
	mux.HandleFunc("GET /accounts/{account}/invoices", s.account(s.invoicesPage))
	mux.HandleFunc("GET /accounts/{account}/invoices/{number}", s.account(s.invoicePage))
	mux.HandleFunc("GET /accounts/{account}/invoices/{number}/files/{kind}", s.account(s.fileDownload))
	mux.HandleFunc("GET /accounts/{account}/summary", s.account(s.summaryPage))
	mux.HandleFunc("GET /accounts/{account}/payments", s.account(s.paymentsPage))
	mux.HandleFunc("GET /accounts/{account}/payments/{key}", s.account(s.paymentResultPage))
	mux.HandleFunc("GET /accounts/{account}/payment-methods", s.account(s.methodsPage))
	mux.HandleFunc("POST /accounts/{account}/payment-methods", s.account(s.addMethod))
	mux.HandleFunc("GET /accounts/{account}/payment-methods/return", s.account(s.methodReturn))
	mux.HandleFunc("GET /accounts/{account}/payment-methods/cancel", s.account(s.methodCancel))
	mux.HandleFunc("GET /accounts/{account}/pay/return", s.account(s.payReturn))
	mux.HandleFunc("GET /accounts/{account}/pay/cancel", s.account(s.payCancel))
	mux.HandleFunc("POST /accounts/{account}/payment-methods/{id}/default", s.account(s.defaultMethod))
	mux.HandleFunc("POST /accounts/{account}/payment-methods/{id}/remove", s.account(s.removeMethod))
	mux.HandleFunc("GET /accounts/{account}/pay", s.account(s.payPage))
	mux.HandleFunc("POST /accounts/{account}/pay", s.account(s.pay))
	mux.HandleFunc("GET /accounts/{account}/files.zip", s.account(s.monthZip))
	mux.HandleFunc("POST /accounts/{account}/credit", s.account(s.credit))
	mux.HandleFunc("POST /accounts/{account}/invoices/{number}/refund", s.account(s.refund))
	mux.HandleFunc("GET /audit", s.page(s.auditPage))
	mux.HandleFunc("GET /webhook-endpoints", s.page(s.webhooksPage))
	mux.HandleFunc("POST /webhook-endpoints/{id}/{action}", s.page(s.webhookAction))

	if s.Hosted != nil {
		mux.Handle("/sandbox/checkout/", s.Hosted)
	}
	if s.Payments.TakesEvents() {
		mux.HandleFunc("POST /webhooks/stripe", s.providerEvents)
	}

	s.apiRoutes(mux)
	mux.HandleFunc("/", s.public(func(w http.ResponseWriter, r *http.Request, v *viewer) {
		s.notFound(w, r, v)
	}))

	// Cross-origin protection on every state-changing request (§11):
	// a browser's cross-site POST is refused by its Sec-Fetch-Site or Origin
	// header; API clients send neither and authenticate by bearer token,
	// which a browser never adds on its own.
	csrf := http.NewCrossOriginProtection()
	csrf.AddInsecureBypassPattern("POST /webhooks/stripe") // the provider's servers, signed (§9.1)
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.audit(r, nil, "cross_origin_refused", r.URL.Path, "refused")
		s.fail(w, r, nil, http.StatusForbidden, "cross_origin", "This request came from another site and was refused.")
	}))
	return s.observe(securityHeaders(s.FormTargets, s.wellFormed(csrf.Handler(mux)))), nil
}

// wellFormed refuses a request whose path, query or form holds text no
// account, invoice or card can have: invalid UTF-8 or control characters
// (a NUL would reach PostgreSQL, which refuses it). Forms are read with a
// limit of 64 KiB.
func (s *Server) wellFormed(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		bad := !printable(r.URL.Path)
		if err := r.ParseForm(); err != nil {
			bad = true
		}
		for _, values := range r.Form {
			for _, v := range values {
				bad = bad || !printable(v)
			}
		}
		if bad {
			s.fail(w, r, nil, http.StatusBadRequest, "bad_request", "The request holds text that is not allowed here.")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// printable is true for valid UTF-8 without control characters.
func printable(v string) bool {
	if !utf8.ValidString(v) {
		return false
	}
	for _, c := range v {
		if c < ' ' || c == 0x7f {
			return false
		}
	}
	return true
}

func (s *Server) prepare() error {
	if s.DB == nil || s.Payments == nil || s.Files == nil || s.Pipeline == nil || s.Log == nil {
		return errors.New("portal: the server needs its database, payments, files, pipeline and log")
	}
	if err := parseTemplates(); err != nil {
		return err
	}
	s.signinByAddr = newLimiter(10, time.Minute)
	s.signinByEmail = newLimiter(3, 15*time.Minute)
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "billing_portal_requests_total",
		Help: "Portal requests by route and status class."}, []string{"route", "status"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "billing_portal_request_seconds",
		Help: "Portal request durations by route.", Buckets: prometheus.DefBuckets}, []string{"route"})
	if s.Metrics != nil {
		for _, c := range []prometheus.Collector{s.requests, s.latency} {
			if err := s.Metrics.Register(c); err != nil {
				return err
			}
		}
	}
	return nil
}

// securityHeaders sets the headers every answer carries: a
// Content-Security-Policy that allows the portal's own stylesheet and
// nothing else (no script at all), forms sent to the portal or on to the
// provider's hosted page, and the usual guards.
func securityHeaders(formTargets []string, next http.Handler) http.Handler {
	policy := "default-src 'none'; style-src 'self'; img-src 'self'; form-action " + strings.Join(append([]string{"'self'"}, formTargets...), " ") +
		"; frame-ancestors 'none'; base-uri 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", policy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status of an answer.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe logs each request (its path only: a query string may hold a
// sign-in link's secret, so it is never logged) and counts it.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.Log.Error("portal_panic", "path", r.URL.Path, "panic", fmt.Sprint(p))
				if sw.status == 0 {
					s.fail(sw, r, nil, http.StatusInternalServerError, "internal", "Something went wrong on our side.")
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			d := time.Since(start)
			s.requests.WithLabelValues(route, strconv.Itoa(sw.status/100)+"xx").Inc()
			s.latency.WithLabelValues(route).Observe(d.Seconds())
			s.Log.Debug("portal_request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
				"ms", d.Milliseconds(), "remote", s.remoteAddr(r))
		}()
		next.ServeHTTP(sw, r)
	})
}

// handler is a route's work with its viewer (nil when signed out).
type handler func(w http.ResponseWriter, r *http.Request, v *viewer)

// public serves a page anyone may see; the viewer is known when signed in.
func (s *Server) public(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := s.fromSession(r)
		if err != nil {
			s.internal(w, r, v, err)
			return
		}
		h(w, r, v)
	}
}

// page serves a page for the signed-in; the others go to the sign-in page.
func (s *Server) page(h handler) http.HandlerFunc {
	return s.public(func(w http.ResponseWriter, r *http.Request, v *viewer) {
		if v == nil {
			http.Redirect(w, r, "/signin", http.StatusSeeOther)
			return
		}
		h(w, r, v)
	})
}

// account serves a page of the account in the path, to those who see it;
// any other signed-in viewer gets 404, as if the account did not exist
// (§11).
func (s *Server) account(h handler) http.HandlerFunc {
	return s.page(func(w http.ResponseWriter, r *http.Request, v *viewer) {
		if !v.sees(r.PathValue("account")) {
			s.notFound(w, r, v)
			return
		}
		if v.staff() { // finance may name any account: it must exist
			if found, err := access.AccountExists(r.Context(), s.DB, r.PathValue("account")); err != nil {
				s.internal(w, r, v, err)
				return
			} else if !found {
				s.notFound(w, r, v)
				return
			}
		}
		h(w, r, v)
	})
}

// audit writes an entry of the audit log (§11). A failure to write it
// is logged, never shown: the action it records has happened.
func (s *Server) audit(r *http.Request, v *viewer, action, object, outcome string) {
	e := access.AuditEntry{At: s.now(), Actor: v.actor(), Role: "none", RemoteAddr: s.remoteAddr(r),
		Action: action, Object: object, Outcome: outcome}
	if v != nil {
		e.Role, e.AccountID = v.Role, v.AccountID
	}
	if acc := r.PathValue("account"); acc != "" {
		e.AccountID = acc
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
	defer cancel()
	if err := access.Audit(ctx, s.DB, e); err != nil {
		s.Log.Error("audit_log_write_failed", "action", action, "object", object, "error", err.Error())
	}
}
