package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/invoices"
)

// The sample data billed as of 2026-08-08 with no card on file: P1 owes its
// two invoices, U1 its two, and M1 its calendar invoices.
const (
	p1Contact = "billing@pinewood.example"
	p1Invoice = "INV-2026-000001" // 12 lines, 24.00 USD
	u1Invoice = "INV-2026-000002"
)

// An account holder signs in with an e-mailed link; the link works once,
// and not at all once expired. The session cookie is HttpOnly and
// SameSite=Lax, and Secure when the portal is reached over https.
func TestPortalSignInLinksWorkOnceAndExpire(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	c := p.client()

	secret := c.signInLink(p1Contact)
	_, page := c.expect(http.StatusOK, "GET", "/signin/link?t="+secret, nil)
	if !strings.Contains(page, `name="t" value="`+secret+`"`) {
		t.Fatalf("the link's page does not carry the link to its button:\n%s", clip(page))
	}
	resp, _ := c.expect(http.StatusSeeOther, "POST", "/signin/link", url.Values{"t": {secret}})
	if got := resp.Header.Get("Location"); got != "/accounts/P1/invoices" {
		t.Fatalf("signed in to %q, want /accounts/P1/invoices", got)
	}
	cookie := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"billing_session=bs_", "Path=/", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("session cookie %q lacks %s", cookie, want)
		}
	}
	if strings.Contains(cookie, "Secure") {
		t.Errorf("session cookie %q is Secure on a plain-http portal: the browser would never send it back", cookie)
	}
	c.expect(http.StatusOK, "GET", "/accounts/P1/invoices", nil)

	// Used once: a second use is refused, and signs no one in.
	other := p.client()
	_, page = other.expect(http.StatusBadRequest, "POST", "/signin/link", url.Values{"t": {secret}})
	if !strings.Contains(page, "expired or has been used already") {
		t.Errorf("reused link page:\n%s", clip(page))
	}
	other.expect(http.StatusSeeOther, "GET", "/accounts/P1/invoices", nil)

	// Expired: a link fifteen minutes old is refused.
	late := c.signInLink(p1Contact)
	if _, err := p.db.Exec(`UPDATE access_tokens SET expires_at = now() - interval '1 second' WHERE kind = 'link' AND used_at IS NULL`); err != nil {
		t.Fatal(err)
	}
	other.expect(http.StatusBadRequest, "POST", "/signin/link", url.Values{"t": {late}})
	var lifetime string
	if err := p.db.Get(&lifetime, `SELECT round(extract(epoch FROM expires_at - created_at))::text FROM access_tokens WHERE kind = 'link' ORDER BY token_id LIMIT 1`); err != nil || lifetime != "900" {
		t.Errorf("a link lives %q s (%v), want 900 s", lifetime, err)
	}

	// An unknown address gets the same answer and no e-mail.
	n := len(p.inbox.Received())
	_, page = other.expect(http.StatusOK, "POST", "/signin/email", url.Values{"email": {"nobody@example.com"}})
	if !strings.Contains(page, "If <strong>nobody@example.com</strong> is the contact address") || len(p.inbox.Received()) != n {
		t.Errorf("an unknown address was told apart or mailed:\n%s", clip(page))
	}

	// Over https, the cookie is Secure.
	secure := startPortal(t, p.operator, "--public-url", "https://billing.example.com").client()
	resp, _ = secure.expect(http.StatusSeeOther, "POST", "/signin/token", url.Values{"token": {p.token("--account", "P1")}})
	if cookie := resp.Header.Get("Set-Cookie"); !strings.Contains(cookie, "; Secure") {
		t.Errorf("session cookie %q is not Secure behind https", cookie)
	}
}

// Every state-changing request from another site is refused; the same
// request from the portal's own pages goes through.
func TestPortalRefusesCrossSiteRequests(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	c := p.client()
	c.signInWithToken(p.token("--account", "P1"))
	card := url.Values{"default": {"on"}} // add a card: open the provider's hosted page
	for _, h := range [][]string{
		{"Sec-Fetch-Site", "cross-site"},
		{"Sec-Fetch-Site", "same-site"},
		{"Sec-Fetch-Site", "", "Origin", "http://evil.example"},
	} {
		_, page := c.expect(http.StatusForbidden, "POST", "/accounts/P1/payment-methods", card, h...)
		if !strings.Contains(page, "came from another site") {
			t.Errorf("%v: refusal page:\n%s", h, clip(page))
		}
		c.expect(http.StatusForbidden, "POST", "/signout", nil, h...)
	}
	var pages int
	if err := p.db.Get(&pages, `SELECT count(*) FROM checkouts`); err != nil || pages != 0 {
		t.Fatalf("%d hosted pages opened by cross-site posts (%v), want 0", pages, err)
	}
	c.expect(http.StatusSeeOther, "POST", "/accounts/P1/payment-methods", card)
	if err := p.db.Get(&pages, `SELECT count(*) FROM checkouts`); err != nil || pages != 1 {
		t.Fatalf("%d hosted pages opened by a same-origin post (%v), want 1", pages, err)
	}
	// Every answer carries the policy and guards.
	resp, _ := c.expect(http.StatusOK, "GET", "/accounts/P1/invoices", nil)
	for h, want := range map[string]string{
		"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		"X-Content-Type-Options":  "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
	} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
}

// An account holder of P1 sees nothing of U1: its pages, invoices, files
// and API objects answer 404, exactly as if they did not exist.
func TestPortalAccountHolderSeesOnlyTheirAccount(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	token := p.token("--account", "P1")
	c := p.client()
	c.signInWithToken(token)
	_, missing := c.expect(http.StatusNotFound, "GET", "/accounts/NOPE/invoices", nil)
	for _, path := range []string{
		"/accounts/U1/invoices", "/accounts/U1/summary", "/accounts/U1/payments", "/accounts/U1/payment-methods", "/accounts/U1/pay",
		"/accounts/U1/invoices/" + u1Invoice, "/accounts/P1/invoices/" + u1Invoice,
		"/accounts/U1/invoices/" + u1Invoice + "/files/invoice", "/accounts/P1/invoices/" + u1Invoice + "/files/reconciliation",
		"/accounts/P1/files.zip?month=2026-06", "/accounts", "/audit",
	} {
		_, body := c.expect(http.StatusNotFound, "GET", path, nil)
		if body != missing {
			t.Errorf("%s: its 404 differs from a missing account's", path)
		}
	}
	c.expect(http.StatusNotFound, "POST", "/accounts/U1/pay", url.Values{"what": {"all"}, "currency": {"USD"}, "method": {"paypal"}, "paypal": {"a@b.example"}})
	for _, path := range []string{"/api/v1/invoices/" + u1Invoice, "/api/v1/invoices/" + u1Invoice + "/files/invoice",
		"/api/v1/invoices?account=U1", "/api/v1/summary?account=U1", "/api/v1/payments?account=U1", "/api/v1/payment-methods?account=U1"} {
		status, body, raw := p.api(token, "GET", path, nil)
		if status != http.StatusNotFound || fmt.Sprint(body["error"]) != "map[code:not_found message:There is nothing here, or it is not yours to see.]" {
			t.Errorf("API %s: %d %s", path, status, raw)
		}
	}
	// Finance sees both.
	finance := p.token("--role", "finance")
	if status, _, raw := p.api(finance, "GET", "/api/v1/invoices/"+u1Invoice, nil); status != http.StatusOK {
		t.Errorf("finance reading %s: %d %s", u1Invoice, status, raw)
	}
	if status, body, _ := p.api(finance, "GET", "/api/v1/invoices", nil); status != http.StatusBadRequest || fmt.Sprint(body["error"]) != "map[code:account_required message:name the account: ?account=ID]" {
		t.Errorf("finance listing invoices without an account: %d %v", status, body)
	}
}

// No parameter of any route reaches outside what it names: a path, an
// encoded path or a traversal in each answers 400 or 404 (or the
// standard library's redirect to the cleaned path), never a file.
func TestPortalPathTraversalInEveryParameter(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	c := p.client()
	c.signInWithToken(p.token("--role", "operator"))
	token := p.token("--role", "operator")
	evil := []string{"../../../../etc/passwd", "..%2F..%2F..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..\\..\\etc\\passwd",
		"....//....//etc/passwd", "%00", "P1%2F..%2F..%2Fout"}
	var paths []string
	for _, e := range evil {
		paths = append(paths,
			"/accounts/"+e+"/invoices", "/accounts/"+e+"/summary",
			"/accounts/P1/invoices/"+e, "/accounts/P1/invoices/"+e+"/files/invoice", "/accounts/P1/invoices/"+p1Invoice+"/files/"+e,
			"/accounts/P1/files.zip?month="+e, "/accounts/"+e+"/files.zip?month=2026-06", "/accounts/P1/payments/"+e,
			"/accounts/P1/invoices?year="+e, "/accounts/P1/invoices?status="+e, "/accounts/P1/invoices?currency="+e, "/accounts/P1/invoices?page="+e,
			"/accounts/P1/invoices/"+p1Invoice+"?page="+e, "/audit?before="+e, "/static/"+e,
			"/api/v1/invoices/"+e, "/api/v1/invoices/"+p1Invoice+"/files/"+e, "/api/v1/invoices?account="+e)
	}
	for _, path := range paths {
		resp, body := c.do("GET", path, nil)
		switch resp.StatusCode {
		case http.StatusBadRequest, http.StatusNotFound: // or a redirect to the cleaned path, checked below
		case http.StatusMovedPermanently, http.StatusTemporaryRedirect:
			if loc := resp.Header.Get("Location"); regexp.MustCompile(`(^|/)\.\.(/|$)`).MatchString(loc) {
				t.Errorf("GET %s redirects to %s", path, loc)
			}
		case http.StatusUnauthorized: // the API takes no session cookie
			if !strings.HasPrefix(path, "/api/") {
				t.Errorf("GET %s: 401", path)
			}
		default:
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
		if strings.Contains(body, "root:") || strings.HasPrefix(body, "PK") {
			t.Errorf("GET %s served a file", path)
		}
		if strings.HasPrefix(path, "/api/") {
			if status, _, raw := p.api(token, "GET", path, nil); status != http.StatusBadRequest && status != http.StatusNotFound && status != http.StatusTemporaryRedirect {
				t.Errorf("API GET %s: %d %s", path, status, raw)
			}
		}
	}
	for _, e := range evil {
		if resp, _ := c.do("POST", "/accounts/P1/payment-methods/"+e+"/remove", nil); resp.StatusCode != http.StatusNotFound &&
			resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusTemporaryRedirect {
			t.Errorf("POST remove payment method %s: %d", e, resp.StatusCode)
		}
		if status, _, raw := p.api(token, "DELETE", "/api/v1/payment-methods/"+e+"?account=P1", nil); status != http.StatusNotFound &&
			status != http.StatusBadRequest && status != http.StatusTemporaryRedirect {
			t.Errorf("API DELETE payment method %s: %d %s", e, status, raw)
		}
	}
}

// A revoked token is refused at once, by the API and for the sessions it
// opened; billing token list shows it revoked.
func TestPortalRevokedTokenIsRefused(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	token := p.token("--account", "P1", "--label", "accounting system")
	c := p.client()
	c.signInWithToken(token)
	if status, body, raw := p.api(token, "GET", "/api/v1/invoices", nil); status != http.StatusOK || body["matching"] != float64(2) {
		t.Fatalf("before revoking: %d %s", status, raw)
	}
	c.expect(http.StatusOK, "GET", "/accounts/P1/invoices", nil)
	list := p.billing("token", "list")
	m := regexp.MustCompile(`(?m)^(\d+)\s+token\s+account\s+P1\s+accounting system`).FindStringSubmatch(list)
	if m == nil {
		t.Fatalf("the token is not listed:\n%s", list)
	}
	if out := p.billing("token", "revoke", m[1]); out != "token "+m[1]+" revoked, with the sessions it opened\n" {
		t.Fatalf("revoke: %q", out)
	}
	status, body, _ := p.api(token, "GET", "/api/v1/invoices", nil)
	if status != http.StatusUnauthorized || fmt.Sprint(body["error"]) != "map[code:unauthorized message:send a valid access token: Authorization: Bearer TOKEN]" {
		t.Errorf("after revoking, the API answers %d %v", status, body)
	}
	resp, _ := c.expect(http.StatusSeeOther, "GET", "/accounts/P1/invoices", nil)
	if resp.Header.Get("Location") != "/signin" {
		t.Errorf("after revoking, the session goes to %q", resp.Header.Get("Location"))
	}
	_, page := p.client().expect(http.StatusUnauthorized, "POST", "/signin/token", url.Values{"token": {token}})
	if !strings.Contains(page, "That access token is not valid") {
		t.Errorf("signing in with a revoked token:\n%s", clip(page))
	}
	if list := p.billing("token", "list"); !regexp.MustCompile(`(?m)^` + m[1] + `\s+token\s+account\s+P1\s+accounting system.*revoked `).MatchString(list) {
		t.Errorf("the token is not listed as revoked:\n%s", list)
	}
}

// Sign-in attempts are limited per client address: the eleventh in a
// minute is refused with 429 and Retry-After.
func TestPortalRateLimitsSignIn(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	c := p.client()
	for i := range 10 {
		if resp, _ := c.do("POST", "/signin/token", url.Values{"token": {fmt.Sprint("bt_wrong", i)}}); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, resp.StatusCode)
		}
	}
	resp, _ := c.expect(http.StatusTooManyRequests, "POST", "/signin/token", url.Values{"token": {p.token("--account", "P1")}})
	if resp.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
}

// Downloads go by number and kind: the stored bytes, the SHA-256 as ETag,
// a sortable name, range requests, and a file deleted or altered on disk
// written again first.
func TestPortalDownloadsServeTheStoredFileAndHealIt(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	c := p.client()
	c.signInWithToken(p.token("--account", "P1"))
	path, sum := p.storedFile(p1Invoice, "reconciliation")
	stored := readFile(t, path)
	url := "/accounts/P1/invoices/" + p1Invoice + "/files/reconciliation"
	resp, body := c.expect(http.StatusOK, "GET", url, nil)
	if body != string(stored) || sha(t, path) != sum {
		t.Fatalf("download differs from the stored file")
	}
	for h, want := range map[string]string{
		"ETag":                `"` + sum + `"`,
		"Content-Disposition": `attachment; filename="P1_2026-05-15_USD_INV-2026-000001_reconciliation.xlsx"`,
		"Content-Type":        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"Accept-Ranges":       "bytes",
	} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	resp, body = c.expect(http.StatusPartialContent, "GET", url, nil, "Range", "bytes=100-199")
	if body != string(stored[100:200]) || resp.Header.Get("Content-Range") != fmt.Sprintf("bytes 100-199/%d", len(stored)) {
		t.Errorf("range: %q, %d bytes", resp.Header.Get("Content-Range"), len(body))
	}
	c.expect(http.StatusNotModified, "GET", url, nil, "If-None-Match", `"`+sum+`"`)

	// Deleted, then altered: each download writes the file again first.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, body = c.expect(http.StatusOK, "GET", url, nil); body != string(stored) {
		t.Fatal("the download of a deleted file is not the stored file")
	}
	if err := os.WriteFile(path, []byte("altered"), 0o640); err != nil {
		t.Fatal(err)
	}
	if _, body = c.expect(http.StatusOK, "GET", url, nil); body != string(stored) || string(readFile(t, path)) != string(stored) {
		t.Fatal("the download of an altered file is not the stored file, or the file stayed altered")
	}

	// The PDF is written at its first download (pdf_invoices: on-demand),
	// then recorded like the others.
	resp, body = c.expect(http.StatusOK, "GET", "/accounts/P1/invoices/"+p1Invoice+"/files/pdf", nil)
	pdfPath, pdfSum := p.storedFile(p1Invoice, "pdf")
	if body != string(readFile(t, pdfPath)) || resp.Header.Get("ETag") != `"`+pdfSum+`"` || resp.Header.Get("Content-Type") != "application/pdf" ||
		resp.Header.Get("Content-Disposition") != `attachment; filename="P1_2026-05-15_USD_INV-2026-000001_invoice.pdf"` {
		t.Errorf("the PDF download: %v", resp.Header)
	}
	c.expect(http.StatusNotFound, "GET", "/accounts/P1/invoices/"+p1Invoice+"/files/other", nil)

	// The audit log has each download, with who and from where.
	var entries []string
	if err := p.db.Select(&entries, `SELECT actor || ' ' || remote_addr || ' ' || action || ' ' || object FROM audit_log WHERE action = 'download' ORDER BY entry_id`); err != nil {
		t.Fatal(err)
	}
	if len(entries) != 6 || !regexp.MustCompile(`^account P1, token \d+ 127\.0\.0\.1 download INV-2026-000001 reconciliation$`).MatchString(entries[0]) {
		t.Errorf("audit log of downloads: %q", entries)
	}
}

// A finance user downloads a month's files of an account as one zip: every
// file of the invoices issued that month, byte for byte.
func TestPortalFinanceDownloadsAMonthAsAZip(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	c := p.client()
	c.signInWithToken(p.token("--role", "finance"))
	resp, body := c.expect(http.StatusOK, "GET", "/accounts/M1/files.zip?month=2026-07", nil)
	if got := resp.Header.Get("Content-Disposition"); got != `attachment; filename="M1_2026-07.zip"` {
		t.Errorf("Content-Disposition %q", got)
	}
	zr, err := zip.NewReader(bytes.NewReader([]byte(body)), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		number := strings.Split(f.Name, "_")[3]
		kind := strings.TrimSuffix(strings.Split(f.Name, "_")[4], ".xlsx")
		if strings.HasSuffix(f.Name, ".pdf") {
			kind = "pdf"
		}
		path, _ := p.storedFile(number, kind)
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		if !bytes.Equal(got, readFile(t, path)) {
			t.Errorf("%s differs from the stored file", f.Name)
		}
	}
	want := "M1_2026-06-01_EUR_INV-2026-000003_invoice.xlsx M1_2026-06-01_EUR_INV-2026-000003_invoice.pdf M1_2026-06-01_EUR_INV-2026-000003_reconciliation.xlsx " +
		"M1_2026-06-01_GBP_INV-2026-000004_invoice.xlsx M1_2026-06-01_GBP_INV-2026-000004_invoice.pdf M1_2026-06-01_GBP_INV-2026-000004_reconciliation.xlsx " +
		"M1_2026-06-01_USD_INV-2026-000005_invoice.xlsx M1_2026-06-01_USD_INV-2026-000005_invoice.pdf M1_2026-06-01_USD_INV-2026-000005_reconciliation.xlsx"
	if strings.Join(names, " ") != want {
		t.Errorf("zip entries:\n%s\nwant:\n%s", strings.Join(names, " "), want)
	}
	c.expect(http.StatusBadRequest, "GET", "/accounts/M1/files.zip?month=2026-13", nil)
}

// POST /api/v1/payments: the same Idempotency-Key replays the first
// payment; the same key with other parameters is refused with 422, as is a
// request Pay refuses; a database failure is a 500.
func TestPortalAPIPaymentIsIdempotent(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	token := p.token("--account", "P1")
	pay := map[string]any{"currency": "USD", "amount": "10.00", "paypal": "buyer@example.com"}
	status, first, raw := p.api(token, "POST", "/api/v1/payments", pay, "Idempotency-Key", "order-77")
	if status != http.StatusCreated || first["status"] != "succeeded" || first["idempotency_key"] != "order-77" || first["replayed"] != false {
		t.Fatalf("first payment: %d %s", status, raw)
	}
	status, again, raw := p.api(token, "POST", "/api/v1/payments", pay, "Idempotency-Key", "order-77")
	if status != http.StatusOK || again["payment_id"] != first["payment_id"] || again["replayed"] != true {
		t.Fatalf("replay: %d %s", status, raw)
	}
	pay["amount"] = "11.00"
	status, body, raw := p.api(token, "POST", "/api/v1/payments", pay, "Idempotency-Key", "order-77")
	if status != http.StatusUnprocessableEntity || fmt.Sprint(body["error"]) != "map[code:idempotency_key_reused message:this Idempotency-Key was used with other parameters]" {
		t.Fatalf("other parameters with the key: %d %s", status, raw)
	}
	var paid string
	if err := p.db.Get(&paid, `SELECT coalesce(sum(amount), 0)::text FROM payments WHERE account_id = 'P1'`); err != nil || paid != "10.00" {
		t.Fatalf("paid %s (%v), want 10.00 once", paid, err)
	}
	status, body, raw = p.api(token, "GET", "/api/v1/summary", nil)
	if status != http.StatusOK || fmt.Sprint(body["balances"].([]any)[0].(map[string]any)["balance"]) != "38.00" {
		t.Errorf("summary after paying 10.00 of 48.00: %d %s", status, raw)
	}
	if status, body, raw = p.api(token, "POST", "/api/v1/payments", map[string]any{"currency": "USD", "all": true, "amount": "1.00", "paypal": "x@y.example"}); status != http.StatusUnprocessableEntity || fmt.Sprint(body["error"]) != `map[code:invalid_request message:give "amount" or "all": true, one of the two]` {
		t.Errorf("amount and all: %d %s", status, raw)
	}
	if status, body, raw = p.api(token, "POST", "/api/v1/payments", map[string]any{"currency": "USD", "all": true, "bogus": 1}); status != http.StatusBadRequest || body["error"].(map[string]any)["code"] != "bad_body" {
		t.Errorf("unknown field: %d %s", status, raw)
	}
	if status, body, raw = p.api(token, "POST", "/api/v1/payments", map[string]any{"currency": "USD", "amount": "0.005", "paypal": "x@y.example"}); status != http.StatusUnprocessableEntity || fmt.Sprint(body["error"]) != "map[code:invalid_request message:amount 0.005 USD is finer than the currency's minor unit (2 decimals)]" {
		t.Errorf("sub-cent amount: %d %s", status, raw)
	}
	// A failure of the database is the system's, not the request's: 500.
	p.db.MustExec(`ALTER TABLE gateway_attempts RENAME TO gateway_attempts_away`)
	status, body, raw = p.api(token, "POST", "/api/v1/payments", pay, "Idempotency-Key", "order-78")
	p.db.MustExec(`ALTER TABLE gateway_attempts_away RENAME TO gateway_attempts`)
	if status != http.StatusInternalServerError || fmt.Sprint(body["error"]) != "map[code:internal message:Something went wrong on our side; it has been logged.]" {
		t.Errorf("database failure: %d %s", status, raw)
	}
	var audit string
	if err := p.db.Get(&audit, `SELECT string_agg(action || ' ' || outcome, ', ' ORDER BY entry_id) FROM audit_log WHERE action = 'payment'`); err != nil || audit != "payment succeeded, payment succeeded" {
		t.Errorf("audit of payments: %q (%v)", audit, err)
	}
}

// An operator grants a credit and refunds an invoice from the portal; each
// is an invoice with its files, in the audit log. Finance and account
// holders cannot.
func TestPortalOperatorGrantsCreditsAndRefunds(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	for _, who := range [][]string{{"--role", "finance"}, {"--account", "P1"}} {
		c := p.client()
		c.signInWithToken(p.token(who...))
		c.expect(http.StatusNotFound, "POST", "/accounts/P1/credit", url.Values{"currency": {"USD"}, "amount": {"5.00"}, "reason": {"goodwill"}})
		c.expect(http.StatusNotFound, "POST", "/accounts/P1/invoices/"+p1Invoice+"/refund", url.Values{"what": {"all"}, "reason": {"x"}})
	}
	c := p.client()
	c.signInWithToken(p.token("--role", "operator", "--label", "Olga"))
	resp, _ := c.expect(http.StatusSeeOther, "POST", "/accounts/P1/credit", url.Values{"currency": {"USD"}, "amount": {"5.00"}, "reason": {"goodwill"}})
	if got := resp.Header.Get("Location"); got != "/accounts/P1/invoices/INV-2026-000011" {
		t.Fatalf("credit went to %q", got)
	}
	resp, _ = c.expect(http.StatusSeeOther, "POST", "/accounts/P1/invoices/"+p1Invoice+"/refund", url.Values{"what": {"amount"}, "amount": {"4.00"}, "reason": {"seat unused"}})
	if got := resp.Header.Get("Location"); got != "/accounts/P1/invoices/INV-2026-000012" {
		t.Fatalf("refund went to %q", got)
	}
	_, page := c.expect(http.StatusUnprocessableEntity, "POST", "/accounts/P1/invoices/"+p1Invoice+"/refund", url.Values{"what": {"amount"}, "amount": {"99.00"}, "reason": {"too much"}})
	if !strings.Contains(page, "No refund was issued") {
		t.Errorf("a refund above the invoice:\n%s", clip(page))
	}
	// The portal issues them as of now: a credit's window is the day before.
	issued := p.invoice("INV-2026-000011").IssueDate
	if today := calendar.DateOf(time.Now()); issued != today && issued != today.AddDays(-1) {
		t.Errorf("the credit was issued %s, not today", issued)
	}
	assertText(t, "operator invoices", summary([]invoices.Invoice{p.invoice("INV-2026-000011"), p.invoice("INV-2026-000012")}),
		fmt.Sprintf("INV-2026-000011 P1 credit anniversary USD %[1]s–%[1]s issued %[2]s -5.00+0.00=-5.00 adjusts -\n", issued.AddDays(-1), issued)+
			fmt.Sprintf("INV-2026-000012 P1 refund anniversary USD 2026-05-15–2026-06-14 issued %s -4.00+0.00=-4.00 adjusts INV-2026-000001", issued))
	var audit string
	if err := p.db.Get(&audit, `SELECT string_agg(actor || ': ' || action || ' ' || object || ' ' || outcome, E'\n' ORDER BY entry_id)
		FROM audit_log WHERE action IN ('credit', 'refund')`); err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(`^operator \(Olga\), token \d+: credit credit -?5\.00 USD: INV-2026-000011 ok\n` +
		`operator \(Olga\), token \d+: refund refund of INV-2026-000001 -?4\.00 USD: INV-2026-000012 ok\n` +
		`operator \(Olga\), token \d+: refund refund of INV-2026-000001 refused$`)
	if !want.MatchString(audit) {
		t.Errorf("audit log:\n%s", audit)
	}
	_, page = c.expect(http.StatusOK, "GET", "/audit?account=P1", nil)
	if !strings.Contains(page, "INV-2026-000012") || !strings.Contains(page, "127.0.0.1") {
		t.Errorf("the audit page lacks the refund:\n%s", clip(page))
	}
}

// An account with many invoices reads them 50 a page, newest first, and
// filters them by status, currency and year; the portal's /metrics counts
// the requests.
func TestPortalInvoiceListPagesAndFilters(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	op := p.client()
	op.signInWithToken(p.token("--role", "operator"))
	for i := range 55 {
		op.expect(http.StatusSeeOther, "POST", "/accounts/P1/credit", url.Values{"currency": {"USD"}, "amount": {"0.01"}, "reason": {fmt.Sprint("credit ", i+1)}})
	}
	token := p.token("--account", "P1")
	numbers := func(query string) []string {
		t.Helper()
		status, body, raw := p.api(token, "GET", "/api/v1/invoices"+query, nil)
		if status != http.StatusOK {
			t.Fatalf("%s: %d %s", query, status, raw)
		}
		var out []string
		for _, inv := range body["invoices"].([]any) {
			out = append(out, inv.(map[string]any)["number"].(string))
		}
		return out
	}
	first, second := numbers(""), numbers("?page=2")
	if len(first) != 50 || first[0] != "INV-2026-000065" || len(second) != 7 || second[6] != p1Invoice {
		t.Fatalf("pages of 50: %d from %s, then %d ending %v", len(first), first[0], len(second), second)
	}
	// 55 credits of 0.01 pay the oldest open invoice first (§9).
	if got := numbers("?status=partially_paid"); strings.Join(got, " ") != p1Invoice {
		t.Errorf("partially paid: %v", got)
	}
	if got := numbers("?status=open"); strings.Join(got, " ") != "INV-2026-000006" {
		t.Errorf("open: %v", got)
	}
	if got := numbers("?status=paid&page=2"); len(got) != 5 {
		t.Errorf("paid credits on page 2: %d, want 5", len(got))
	}
	if got := numbers("?year=2026&currency=USD&status=partially_paid"); len(got) != 1 {
		t.Errorf("2026 USD partially paid: %v", got)
	}
	if got := numbers("?year=2025"); len(got) != 0 {
		t.Errorf("2025: %v", got)
	}
	if got := numbers("?currency=EUR"); len(got) != 0 {
		t.Errorf("EUR: %v", got)
	}
	c := p.client()
	c.signInWithToken(token)
	_, page := c.expect(http.StatusOK, "GET", "/accounts/P1/invoices?page=2", nil)
	if rows := strings.Count(page, `<td><a href="/accounts/P1/invoices/INV-`); rows != 7 || !strings.Contains(page, "Page 2 of 2") || !strings.Contains(page, `rel="prev"`) {
		t.Errorf("page 2 shows %d rows:\n%s", rows, clip(page))
	}
	c.expect(http.StatusBadRequest, "GET", "/accounts/P1/invoices?status=late", nil)
	c.expect(http.StatusBadRequest, "GET", "/accounts/P1/invoices?year=1999", nil)
	_, metrics := c.expect(http.StatusOK, "GET", "/metrics", nil)
	if !strings.Contains(metrics, `billing_portal_requests_total{route="GET /accounts/{account}/invoices",status="2xx"} 1`) {
		t.Errorf("/metrics lacks the portal's requests")
	}
}

// The request log, at its most detailed, holds paths and never a query
// string, token or cookie: a sign-in link's secret stays out of it.
func TestPortalLogsNoSecret(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	p := startPortal(t, o, "--log-level", "debug")
	c := p.client()
	secret := c.signInLink(p1Contact)
	c.expect(http.StatusOK, "GET", "/signin/link?t="+secret, nil)
	resp, _ := c.expect(http.StatusSeeOther, "POST", "/signin/link", url.Values{"t": {secret}})
	session := strings.TrimPrefix(strings.Split(resp.Header.Get("Set-Cookie"), ";")[0], "billing_session=")
	token := p.token("--account", "P1")
	if status, _, _ := p.api(token, "GET", "/api/v1/summary", nil); status != http.StatusOK {
		t.Fatalf("API: %d", status)
	}
	c.signInWithToken(token)
	log := p.stop()
	if !strings.Contains(log, "msg=portal_request method=GET path=/signin/link status=200") ||
		!strings.Contains(log, "msg=portal_request method=GET path=/api/v1/summary status=200") {
		t.Fatalf("the request log lacks the requests:\n%s", log)
	}
	for what, secret := range map[string]string{"sign-in link": secret, "session": session, "token": token} {
		if strings.Contains(log, secret) {
			t.Errorf("the log holds the %s's secret", what)
		}
	}
}

// Cards on file through the API: added, listed, removed; another account's
// card is not found.
func TestPortalAPIPaymentMethods(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	token := p.token("--account", "P1")
	card := map[string]any{"card": map[string]any{"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123", "name": "Pat Pine"}, "default": true}
	status, added, raw := p.api(token, "POST", "/api/v1/payment-methods", card)
	if status != http.StatusCreated || added["brand"] != "visa" || added["last4"] != "4242" || added["status"] != "valid" || added["default"] != true {
		t.Fatalf("add: %d %s", status, raw)
	}
	if strings.Contains(string(raw), "4242424242424242") || strings.Contains(string(raw), "tok_") {
		t.Errorf("the answer holds the card number or the gateway token: %s", raw)
	}
	id := fmt.Sprint(added["id"])
	other := p.token("--account", "U1")
	if status, _, raw := p.api(other, "DELETE", "/api/v1/payment-methods/"+id, nil); status != http.StatusNotFound {
		t.Errorf("U1 removing P1's card: %d %s", status, raw)
	}
	if status, _, raw = p.api(token, "GET", "/api/v1/payment-methods", nil); status != http.StatusOK || !strings.Contains(string(raw), `"last4": "4242"`) {
		t.Errorf("list: %d %s", status, raw)
	}
	if status, _, raw = p.api(token, "DELETE", "/api/v1/payment-methods/"+id, nil); status != http.StatusNoContent {
		t.Errorf("remove: %d %s", status, raw)
	}
	if status, _, raw = p.api(token, "GET", "/api/v1/payment-methods", nil); status != http.StatusOK || strings.TrimSpace(string(raw)) != "[]" {
		t.Errorf("list after removing: %d %s", status, raw)
	}
	status, body, raw := p.api(token, "POST", "/api/v1/payment-methods", map[string]any{"card": map[string]any{"number": "12", "exp_month": 12, "exp_year": 2030, "cvc": "1", "name": "X"}})
	if status != http.StatusUnprocessableEntity || body["error"].(map[string]any)["code"] != "card_refused" {
		t.Errorf("a malformed card: %d %s", status, raw)
	}
}
