package portal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/access"
	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/invoices"
	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/payments"
	"github.com/openbilling/billing/pipeline"
)

// Page sizes.
const (
	invoicesPerPage = 50
	linesPerPage    = 100
	auditPerPage    = 100
	accountsShown   = 50
)

func pathEscape(s string) string { return url.PathEscape(s) }

// accountsPage is finance's account search.
func (s *Server) accountsPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	if !v.staff() {
		s.notFound(w, r, v)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) > 200 {
		q = q[:200]
	}
	list, err := access.SearchAccounts(r.Context(), s.DB, q, accountsShown+1)
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	more := len(list) > accountsShown
	if more {
		list = list[:accountsShown]
	}
	s.render(w, r, http.StatusOK, "accounts", view{Title: "Accounts", Viewer: v, Section: "accounts",
		Data: map[string]any{"Query": q, "Accounts": list, "More": more}})
}

// invoiceFilter reads the invoice list's filters; a malformed one is an error.
type invoiceFilter struct {
	Status, Currency, Year string
	Page                   int
}

var currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)

func readInvoiceFilter(q url.Values) (invoiceFilter, invoices.Filter, error) {
	f := invoiceFilter{Status: q.Get("status"), Currency: q.Get("currency"), Year: q.Get("year"), Page: 1}
	sf := invoices.Filter{Status: f.Status, Currency: f.Currency, Limit: invoicesPerPage}
	switch f.Status {
	case "", "open", "partially_paid", "paid":
	default:
		return f, sf, fmt.Errorf("status %q is not open, partially_paid or paid", f.Status)
	}
	if f.Currency != "" && !currencyPattern.MatchString(f.Currency) {
		return f, sf, fmt.Errorf("currency %q is not a three-letter code", f.Currency)
	}
	if f.Year != "" {
		y, err := strconv.Atoi(f.Year)
		if err != nil || y < 2000 || y > 2099 {
			return f, sf, fmt.Errorf("year %q is not between 2000 and 2099", f.Year)
		}
		sf.Year = y
	}
	if p := q.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 1_000_000 {
			return f, sf, fmt.Errorf("page %q is not a page number", p)
		}
		f.Page = n
	}
	sf.Offset = (f.Page - 1) * invoicesPerPage
	return f, sf, nil
}

// invoicesPage is the invoice list (§11), with the balance per
// currency on top.
func (s *Server) invoicesPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	account := r.PathValue("account")
	f, sf, err := readInvoiceFilter(r.URL.Query())
	if err != nil {
		s.fail(w, r, v, http.StatusBadRequest, "bad_filter", err.Error())
		return
	}
	sf.AccountID = account
	page, matching, err := invoices.InvoicePage(r.Context(), s.DB, sf)
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	facets, err := invoices.Facets(r.Context(), s.DB, account)
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	summary, err := s.summary(r, account)
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	var years []int
	var currencies []string
	for _, fc := range facets {
		if len(years) == 0 || years[len(years)-1] != fc.Year {
			years = append(years, fc.Year)
		}
		if !contains(currencies, fc.Currency) {
			currencies = append(currencies, fc.Currency)
		}
	}
	pages := max(1, (matching+invoicesPerPage-1)/invoicesPerPage)
	s.render(w, r, http.StatusOK, "invoices", view{Title: "Invoices", Viewer: v, Account: account, Section: "invoices",
		Data: map[string]any{"Summary": summary, "Invoices": page, "Filter": f, "Matching": matching,
			"Years": years, "Currencies": currencies, "Pages": pages,
			"Prev": pageLink(f.Page-1, pages), "Next": pageLink(f.Page+1, pages)}})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// pageLink is page n as a query value, or "" when there is no such page.
func pageLink(n, pages int) string {
	if n < 1 || n > pages {
		return ""
	}
	return strconv.Itoa(n)
}

// summary is the account's billing summary as of today.
func (s *Server) summary(r *http.Request, account string) (*pipeline.Summary, error) {
	return pipeline.AccountSummary(r.Context(), s.DB, account, calendar.DateOf(s.now()))
}

// invoiceOf reads the header of the invoice in the path when it belongs to
// the account in the path; any other is not found (§11). ok is false
// when the answer has been written.
func (s *Server) invoiceOf(w http.ResponseWriter, r *http.Request, v *viewer) (*invoices.Invoice, bool) {
	inv, err := invoices.GetInvoiceHeader(r.Context(), s.DB, r.PathValue("number"))
	switch {
	case errors.Is(err, invoices.ErrNoInvoice) || err == nil && inv.AccountID != r.PathValue("account"):
		s.notFound(w, r, v)
		return nil, false
	case err != nil:
		s.internal(w, r, v, err)
		return nil, false
	}
	return inv, true
}

// invoicePage is an invoice with its lines, a page at a time, each line
// opening to its detail.
func (s *Server) invoicePage(w http.ResponseWriter, r *http.Request, v *viewer) {
	inv, ok := s.invoiceOf(w, r, v)
	if !ok {
		return
	}
	page := 1
	if p := r.URL.Query().Get("page"); p != "" {
		var err error
		if page, err = strconv.Atoi(p); err != nil || page < 1 || page > 1_000_000 {
			s.fail(w, r, v, http.StatusBadRequest, "bad_page", fmt.Sprintf("page %q is not a page number", p))
			return
		}
	}
	pages := max(1, (inv.LineCount+linesPerPage-1)/linesPerPage)
	from := (page-1)*linesPerPage + 1
	lines, err := invoices.InvoiceLines(r.Context(), s.DB, inv.Number, money.Currency(inv.Currency), from, from+linesPerPage-1)
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	s.render(w, r, http.StatusOK, "invoice", view{Title: "Invoice {{.Number}}", Args: []any{"Number", inv.Number}, Viewer: v, Account: inv.AccountID, Section: "invoices",
		Data: map[string]any{"Invoice": inv, "Lines": lines, "First": from, "Page": page, "Pages": pages,
			"Prev": pageLink(page-1, pages), "Next": pageLink(page+1, pages)}})
}

func (s *Server) summaryPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	account := r.PathValue("account")
	summary, err := s.summary(r, account)
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	s.render(w, r, http.StatusOK, "summary", view{Title: "Billing summary", Viewer: v, Account: account, Section: "summary", Data: summary})
}

func (s *Server) paymentsPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	account := r.PathValue("account")
	list, err := s.Payments.History(r.Context(), account)
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	s.render(w, r, http.StatusOK, "payments", view{Title: "Payments", Viewer: v, Account: account, Section: "payments",
		Data: payments.Views(list)})
}

// paymentResultPage confirms what became of a payment made in the portal.
func (s *Server) paymentResultPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	account := r.PathValue("account")
	a, found, err := s.Payments.AttemptByKey(r.Context(), r.PathValue("key"))
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	if !found || a.AccountID != account || a.Purpose != "payment" {
		s.notFound(w, r, v)
		return
	}
	summary, err := s.summary(r, account)
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	s.render(w, r, http.StatusOK, "payment", view{Title: "Payment " + a.Status, Viewer: v, Account: account, Section: "pay",
		Data: map[string]any{"Attempt": a, "Amount": money.Format(a.Amount, money.Currency(a.Currency)), "Summary": summary}})
}

func (s *Server) methodsPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	s.renderMethods(w, r, v, http.StatusOK, "")
}

func (s *Server) renderMethods(w http.ResponseWriter, r *http.Request, v *viewer, status int, problem string) {
	account := r.PathValue("account")
	list, err := s.Payments.Methods(r.Context(), account)
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	notice := map[string]string{"added": "The card was added.", "default": "The default card was changed.",
		"removed": "The card was removed.", "page-expired": "No card was added: the provider's page was left.",
		"page-open": "The provider has not confirmed the card yet; it appears here once it does."}[r.URL.Query().Get("done")]
	s.render(w, r, status, "methods", view{Title: "Payment methods", Viewer: v, Account: account, Section: "methods",
		Notice: notice, Error: problem, Data: list})
}

// methodID reads the card id in the path; 0 when it is not a number.
func methodID(r *http.Request) int64 {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

func (s *Server) defaultMethod(w http.ResponseWriter, r *http.Request, v *viewer) {
	s.changeMethod(w, r, v, "card_made_default", "default", s.Payments.SetDefault)
}

func (s *Server) removeMethod(w http.ResponseWriter, r *http.Request, v *viewer) {
	s.changeMethod(w, r, v, "card_removed", "removed", s.Payments.RemoveCard)
}

// changeMethod applies a change to one of the account's cards; a card of
// another account is not found.
func (s *Server) changeMethod(w http.ResponseWriter, r *http.Request, v *viewer, action, done string,
	change func(ctx context.Context, accountID string, id int64) error) {
	account, id := r.PathValue("account"), methodID(r)
	if id == 0 || !s.ownsMethod(r, account, id) {
		s.notFound(w, r, v)
		return
	}
	if err := change(r.Context(), account, id); err != nil {
		s.audit(r, v, action, strconv.FormatInt(id, 10), "refused")
		s.renderMethods(w, r, v, http.StatusUnprocessableEntity, err.Error())
		return
	}
	s.audit(r, v, action, strconv.FormatInt(id, 10), "ok")
	http.Redirect(w, r, "/accounts/"+pathEscape(account)+"/payment-methods?done="+done, http.StatusSeeOther)
}

func (s *Server) ownsMethod(r *http.Request, account string, id int64) bool {
	list, err := s.Payments.Methods(r.Context(), account)
	if err != nil {
		return false
	}
	for _, m := range list {
		if m.ID == id {
			return true
		}
	}
	return false
}

// payPage offers to pay the balance of a currency or a part, by a card on
// file, another card or PayPal. The form carries a fresh idempotency key,
// so sending it twice pays once.
func (s *Server) payPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	s.renderPay(w, r, v, http.StatusOK, "", payments.NewKey("web_"))
}

func (s *Server) renderPay(w http.ResponseWriter, r *http.Request, v *viewer, status int, problem, key string) {
	account := r.PathValue("account")
	summary, err := s.summary(r, account)
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	methods, err := s.Payments.Methods(r.Context(), account)
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	var usable []payments.Method
	for _, m := range methods {
		if m.Status != "invalid" {
			usable = append(usable, m)
		}
	}
	notice := map[string]string{"page-expired": "Nothing was paid: the payment provider's page was left."}[r.URL.Query().Get("done")]
	s.render(w, r, status, "pay", view{Title: "Pay", Viewer: v, Account: account, Section: "pay", Error: problem, Notice: notice,
		Data: map[string]any{"Summary": summary, "Methods": usable, "Key": key}})
}

// pay makes the payment and shows what became of it.
func (s *Server) pay(w http.ResponseWriter, r *http.Request, v *viewer) {
	account := r.PathValue("account")
	key := r.PostFormValue("key")
	if !strings.HasPrefix(key, "web_") || len(key) > 100 {
		key = payments.NewKey("web_")
	}
	req, err := s.payRequest(r, account, key)
	if method := r.PostFormValue("method"); err == nil && (method == "card" || method == "paypal") {
		s.payHosted(w, r, v, req, method == "paypal")
		return
	}
	if err == nil {
		var res payments.Result
		res, err = s.Payments.Pay(r.Context(), req)
		if res.Key != "" {
			s.audit(r, v, "payment", fmt.Sprintf("%s %s %s by %s", res.Key, res.Amount, res.Currency, res.Method), res.Status)
		}
		switch {
		case err == nil:
			http.Redirect(w, r, "/accounts/"+pathEscape(account)+"/payments/"+pathEscape(res.Key), http.StatusSeeOther)
			return
		case !refused(err):
			s.internal(w, r, v, err) // the system's failure, not the form's
			return
		}
	}
	s.renderPay(w, r, v, http.StatusUnprocessableEntity, "Nothing was paid: "+err.Error()+".", payments.NewKey("web_"))
}

// payRequest reads the pay form.
func (s *Server) payRequest(r *http.Request, account, key string) (payments.PayRequest, error) {
	req := payments.PayRequest{AccountID: account, Currency: money.Currency(r.PostFormValue("currency")),
		All: r.PostFormValue("what") == "all", IdempotencyKey: key, AsOf: s.now()}
	if !req.All {
		d, err := decimal.NewFromString(strings.TrimSpace(r.PostFormValue("amount")))
		if err != nil {
			return req, errors.New("enter the amount to pay, such as 12.50")
		}
		req.Amount = d
	}
	switch method := r.PostFormValue("method"); method {
	case "paypal", "card": // on the provider's page
	default:
		id, err := strconv.ParseInt(strings.TrimPrefix(method, "on_file_"), 10, 64)
		if err != nil || !strings.HasPrefix(method, "on_file_") || !s.ownsMethod(r, account, id) {
			return req, errors.New("choose how to pay")
		}
		req.MethodID = id
	}
	return req, nil
}

// auditPage is the audit log, for operators.
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	if !v.operator() {
		s.notFound(w, r, v)
		return
	}
	q := r.URL.Query()
	var before int64
	if b := q.Get("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 0 {
			s.fail(w, r, v, http.StatusBadRequest, "bad_page", fmt.Sprintf("before %q is not an entry number", b))
			return
		}
		before = n
	}
	account := q.Get("account")
	list, err := access.AuditLog(r.Context(), s.DB, before, account, auditPerPage)
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	next := ""
	if len(list) == auditPerPage {
		next = strconv.FormatInt(list[len(list)-1].ID, 10)
	}
	s.render(w, r, http.StatusOK, "audit", view{Title: "Audit log", Viewer: v, Section: "audit",
		Data: map[string]any{"Entries": list, "Account": account, "Next": next}})
}
