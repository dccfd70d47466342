package main

import (
	"archive/zip"
	"context"
	"io"
	"mime/quotedprintable"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/shopspring/decimal"
)

// chromium finds the browser the portal's tests drive: $BILLING_CHROMIUM,
// or Debian's chromium package on PATH (scripts/packages.txt). Without one
// the test fails and says what to install; it never skips.
func chromium(t *testing.T) string {
	t.Helper()
	if path := os.Getenv("BILLING_CHROMIUM"); path != "" {
		return path
	}
	if path, err := exec.LookPath("chromium"); err == nil {
		return path
	}
	t.Fatal("the portal's browser tests need Chromium: apt-get install -y chromium (make test installs it when run as root), or set BILLING_CHROMIUM")
	return ""
}

// browserSession is a headless Chromium with its own profile and a folder
// it downloads into.
type browserSession struct {
	t         *testing.T
	ctx       context.Context
	downloads string
	shots     string // where screenshots go
}

func newBrowser(t *testing.T) *browserSession {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox, // the tests run as root in CI
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		// Chromium's own calls home go nowhere on a closed network.
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelCtx := chromedp.NewContext(ctx)
	t.Cleanup(cancelCtx)
	b := &browserSession{t: t, ctx: ctx, downloads: t.TempDir(), shots: os.Getenv("BILLING_SCREENSHOTS")}
	if b.shots == "" {
		b.shots = t.TempDir()
	}
	b.run(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		events := true
		_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: b.downloads, EventsEnabled: &events})
		return err
	}))
	return b
}

func (b *browserSession) run(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](b *browserSession, expression string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expression))
	if err != nil {
		b.t.Fatal(err)
	}
	return v
}

func (b *browserSession) text(selector string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(selector), chromedp.NodeVisible))
	if err != nil {
		b.t.Fatalf("%s: %v", selector, err)
	}
	return strings.TrimSpace(s)
}

// download clicks what downloads a file and returns the file's bytes.
func (b *browserSession) download(selector string) []byte {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	b.run(chromedp.Click(chromedp.CSS(selector), chromedp.NodeVisible))
	for ev, err := range progress {
		if err != nil {
			b.t.Fatalf("waiting for the download of %s: %v", selector, err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			return readFile(b.t, filepath.Join(b.downloads, ev.GUID))
		}
	}
	b.t.Fatalf("no download finished after clicking %s", selector)
	return nil
}

// audit runs axe-core's rules of WCAG 2.1 A and AA on the page as it is
// (§11: usable with a keyboard and a screen reader) and fails the test on
// any violation, with its rule and the elements that break it.
func (b *browserSession) audit(page string) {
	b.t.Helper()
	path := os.Getenv("BILLING_AXE")
	if path == "" {
		b.t.Fatal("no accessibility rules: set BILLING_AXE to axe-core's axe.min.js (make test does: BILLING_AXE=$(scripts/axe.sh))")
	}
	rules := string(readFile(b.t, path))
	found, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](rules+`;
		axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
			.then(r => r.violations.map(v => v.id + " (" + v.impact + "): " + v.help + ": " + v.nodes.map(n => n.target.join(" ")).join(", ")))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("auditing the %s page: %v", page, err)
	}
	for _, v := range found {
		b.t.Errorf("the %s page breaks WCAG 2.1 AA: %s", page, v)
	}
}

// screenshot saves the whole page as NAME.png, after auditing it.
func (b *browserSession) screenshot(name string) {
	b.t.Helper()
	b.audit(name)
	b.noCardFields(name)
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// noCardFields fails the test when a page of the portal has a field for a
// card's number or security code (§9.1: they are entered on the provider's
// hosted page only); the sandbox's own hosted page is not the portal's.
func (b *browserSession) noCardFields(page string) {
	b.t.Helper()
	if path := eval[string](b, `location.pathname`); strings.HasPrefix(path, "/sandbox/") {
		return
	}
	fields := eval[[]string](b, `[...document.querySelectorAll("input, select, textarea")]
		.filter(e => /cc-(number|csc)/.test(e.autocomplete) || /^(number|cvc|card|card_number|security_code)$/i.test(e.name))
		.map(e => e.outerHTML)`)
	for _, f := range fields {
		b.t.Errorf("the %s page of the portal has a card field: %s", page, f)
	}
}

// onHostedPage fills the sandbox's hosted page the portal sent the browser
// to, as a holder does, and submits it.
func (b *browserSession) onHostedPage(base string, fields map[string]string) {
	b.t.Helper()
	b.run(chromedp.WaitVisible(chromedp.ID("submit")))
	if path := eval[string](b, `location.href`); !strings.HasPrefix(path, base+"/sandbox/checkout/cs_sbx_") {
		b.t.Fatalf("not on the sandbox's hosted page: %s", path)
	}
	for _, id := range []string{"number", "exp", "cvc", "name", "paypal"} {
		if v, ok := fields[id]; ok {
			b.run(chromedp.SendKeys(chromedp.ID(id), v))
		}
	}
	b.run(chromedp.Click(chromedp.ID("submit")))
}

// An account holder, in a real Chromium, signs in with the link e-mailed to
// them, sees their invoices and balance, opens an invoice and a line's
// detail, downloads both files (the stored bytes), adds a card and pays part
// of the balance, which drops by exactly that amount; another account's
// pages and files are not found. Then a finance user downloads a month's
// files as one zip.
func TestPortalInABrowser(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	b := newBrowser(t)

	// Sign in with the e-mailed link.
	b.run(chromedp.Navigate(p.base+"/signin"), chromedp.WaitVisible(chromedp.ID("email")))
	b.audit("sign-in")
	b.run(
		chromedp.SendKeys(chromedp.ID("email"), p1Contact),
		chromedp.Submit(chromedp.ID("email")),
		chromedp.WaitVisible(chromedp.Search(`//h1[text()="Check your e-mail"]`)))
	if got := b.text("h1"); got != "Check your e-mail" {
		t.Fatalf("after asking for a link: %q", got)
	}
	mails := p.inbox.Received()
	if len(mails) != 1 || mails[0].Header.Get("To") != p1Contact || mails[0].Header.Get("Subject") != "Your sign-in link" {
		t.Fatalf("e-mails: %d", len(mails))
	}
	body, _ := io.ReadAll(quotedprintable.NewReader(mails[0].Body))
	link := linkPattern.FindString(string(body))
	if link == "" {
		t.Fatalf("no link in:\n%s", body)
	}
	b.run(chromedp.Navigate(p.base+link), chromedp.Click(chromedp.ID("continue")), chromedp.WaitVisible(chromedp.CSS(".balances")))

	// The invoice list with the balance on top.
	if got := b.text(".balance .amount"); got != "48.00 USD" {
		t.Errorf("balance on the invoice list: %q, want 48.00 USD", got)
	}
	rows := eval[[]string](b, `[...document.querySelectorAll("main tbody tr")].map(r => r.innerText.replace(/\s+/g, " ").trim())`)
	want := []string{
		"INV-2026-000006 2026-07-15 recurring anniversary 2026-06-15 – 2026-07-14 USD 24.00 24.00 2026-08-14 open overdue",
		"INV-2026-000001 2026-06-15 new anniversary 2026-05-15 – 2026-06-14 USD 24.00 24.00 2026-07-15 open overdue",
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("invoice rows:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	b.screenshot("invoices")
	b.run(chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(".balances")))
	b.screenshot("invoices-phone")
	b.run(chromedp.EmulateViewport(1280, 900), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(".balances")))

	// An invoice, and a line's detail.
	b.run(chromedp.Click(chromedp.CSS(`a[href="/accounts/P1/invoices/`+p1Invoice+`"]`)), chromedp.WaitVisible(chromedp.ID("download-invoice")))
	if got := b.text("h1"); got != "Invoice "+p1Invoice {
		t.Errorf("invoice page: %q", got)
	}
	lines := eval[int](b, `document.querySelectorAll("ol.lines > li").length`)
	if lines != 12 {
		t.Errorf("%d lines shown, want 12", lines)
	}
	b.run(chromedp.Click(chromedp.CSS("ol.lines > li:first-child summary")), chromedp.WaitVisible(chromedp.CSS("ol.lines > li:first-child dl")))
	detail := strings.ToLower(b.text("ol.lines > li:first-child dl")) // labels are shown in capitals
	for _, want := range []string{"customer\nc1", "subscription\ns1", "order\no-1001", "service period\n2026-06-11 – 2026-07-10",
		"quantity\n1", "unit price\n4.00", "effective unit price\n4.00", "total\n4.00"} {
		if !strings.Contains(detail, want) {
			t.Errorf("the line's detail lacks %q:\n%s", want, detail)
		}
	}
	// A prorated line shows the days charged of the term.
	b.run(chromedp.Click(chromedp.CSS("ol.lines > li:nth-child(9) summary")), chromedp.WaitVisible(chromedp.CSS("ol.lines > li:nth-child(9) dl")))
	if got := strings.ToLower(b.text("ol.lines > li:nth-child(9) dl")); !strings.Contains(got, "days charged\n29 of 30 term days") {
		t.Errorf("the prorated line's detail:\n%s", got)
	}
	b.screenshot("invoice")

	// Both downloads are the stored files, byte for byte.
	for kind, selector := range map[string]string{"invoice": "#download-invoice", "reconciliation": "#download-reconciliation", "pdf": "#download-pdf"} {
		got := b.download(selector)
		path, _ := p.storedFile(p1Invoice, kind)
		if string(got) != string(readFile(t, path)) {
			t.Errorf("the downloaded %s file differs from the stored one (%d bytes)", kind, len(got))
		}
	}

	// Another account's page and file are not found.
	b.run(chromedp.Navigate(p.base+"/accounts/U1/invoices/"+u1Invoice), chromedp.WaitVisible(chromedp.CSS("h1")))
	if got := b.text("h1"); got != "Not Found" {
		t.Errorf("another account's invoice: %q", got)
	}
	b.run(chromedp.Navigate(p.base+"/accounts/P1/invoices/"+u1Invoice+"/files/invoice"), chromedp.WaitVisible(chromedp.CSS("h1")))
	if got := b.text("h1"); got != "Not Found" {
		t.Errorf("another account's file: %q", got)
	}

	// Add a card, on the sandbox's hosted page.
	b.run(chromedp.Navigate(p.base+"/accounts/P1/payment-methods"), chromedp.WaitVisible(chromedp.ID("add-card")))
	b.noCardFields("cards")
	b.run(chromedp.Click(chromedp.ID("add-card")))
	b.onHostedPage(p.base, map[string]string{"number": "4000 0000 0000 9987", "exp": "12/30", "cvc": "123"})
	b.run(chromedp.WaitVisible(chromedp.CSS(".problem")))
	if got := b.text(".problem"); got != "The card was declined (lost_card). Try another card." {
		t.Fatalf("a lost card on the hosted page: %q", got)
	}
	b.screenshot("hosted-card")
	b.onHostedPage(p.base, map[string]string{"number": "4242 4242 4242 4242", "exp": "12/30", "cvc": "123", "name": "Pat Pine"})
	b.run(chromedp.WaitVisible(chromedp.CSS(".notice")))
	if got := b.text(".notice"); got != "The card was added." {
		t.Fatalf("adding a card: %q", got)
	}
	if got := b.text("main tbody tr"); !strings.HasPrefix(got, "visa ending 4242") || !strings.Contains(got, "valid") {
		t.Errorf("the card on file: %q", got)
	}
	b.audit("cards")

	// Pay part of the balance with it.
	b.run(chromedp.Navigate(p.base+"/accounts/P1/pay"), chromedp.WaitVisible(chromedp.ID("pay")))
	before := decimal.RequireFromString(b.text(".balance-USD"))
	b.run(chromedp.Click(chromedp.ID("what-part")), chromedp.SendKeys(chromedp.ID("amount"), "12.34"))
	b.screenshot("pay")
	b.run(chromedp.Click(chromedp.ID("pay")), chromedp.WaitVisible(chromedp.ID("paid-amount")))
	if got := b.text("h1"); got != "Payment received" {
		t.Fatalf("after paying: %q", got)
	}
	if got := b.text("#paid-amount"); got != "12.34 USD" {
		t.Errorf("paid %q, want 12.34 USD", got)
	}
	after := decimal.RequireFromString(b.text(".balance-USD"))
	if !before.Sub(after).Equal(decimal.RequireFromString("12.34")) || !before.Equal(decimal.RequireFromString("48.00")) {
		t.Errorf("balance %s → %s, want a drop of exactly 12.34 from 48.00", before, after)
	}

	// Pay part of it once by another card and once by PayPal, each on the
	// sandbox's hosted page.
	for _, c := range []struct {
		method, amount string
		page           map[string]string
		balance        string
	}{
		{"card", "5.00", map[string]string{"number": "5555 5555 5555 4444", "exp": "11/31", "cvc": "321", "name": "Pat Pine"}, "30.66"},
		{"paypal", "0.66", map[string]string{"paypal": "buyer@example.com"}, "30.00"},
	} {
		b.run(chromedp.Navigate(p.base+"/accounts/P1/pay"), chromedp.WaitVisible(chromedp.ID("pay")),
			chromedp.Click(chromedp.ID("what-part")), chromedp.SendKeys(chromedp.ID("amount"), c.amount),
			chromedp.Click(chromedp.CSS(`input[name="method"][value="`+c.method+`"]`)), chromedp.Click(chromedp.ID("pay")))
		if c.method == "paypal" {
			b.run(chromedp.WaitVisible(chromedp.ID("paypal")))
			b.screenshot("hosted-pay")
		}
		b.onHostedPage(p.base, c.page)
		b.run(chromedp.WaitVisible(chromedp.ID("paid-amount")))
		if got := b.text("#paid-amount"); got != c.amount+" USD" {
			t.Errorf("paid by %s on the hosted page: %q, want %s USD", c.method, got, c.amount)
		}
		if got := b.text(".balance-USD"); got != c.balance {
			t.Errorf("the balance after paying %s by %s: %q, want %s", c.amount, c.method, got, c.balance)
		}
	}
	b.run(chromedp.Navigate(p.base+"/accounts/P1/summary"), chromedp.WaitVisible(chromedp.CSS("main table")))
	b.screenshot("summary")
	b.run(chromedp.Navigate(p.base+"/accounts/P1/payments"), chromedp.WaitVisible(chromedp.CSS("main table")))
	payments := eval[[]string](b, `[...document.querySelectorAll("main tbody tr")].map(r => r.innerText.replace(/\s+/g, " ").trim())`)
	if len(payments) != 3 || !strings.Contains(payments[0], "0.66 USD PayPal buyer@example.com") ||
		!strings.Contains(payments[1], "5.00 USD mastercard ending 4444") || !strings.Contains(payments[2], "INV-2026-000001 12.34") {
		t.Errorf("payments page: %q", payments)
	}
	b.screenshot("payments")

	// The receipt goes out with the outbox.
	p.billing("outbox", "send", "--smtp-addr", p.inbox.Addr)
	mails = p.inbox.Received()
	if got := mails[len(mails)-1].Header.Get("Subject"); got != "Payment received: 0.66 USD" {
		t.Errorf("last e-mail: %q", got)
	}

	// Finance signs in with a token and downloads a month's zip.
	finance := p.token("--role", "finance")
	b.run(chromedp.Click(chromedp.CSS("form.signout button")), chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), finance), chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.CSS(`input[name="q"]`)))
	// The results page is told apart by its search box holding the text:
	// the empty search's page lists M1 too.
	b.run(chromedp.SendKeys(chromedp.ID("q"), "Meridian"), chromedp.Submit(chromedp.ID("q")),
		chromedp.WaitVisible(chromedp.CSS(`input[name="q"][value="Meridian"]`)))
	b.screenshot("accounts")
	b.run(chromedp.Click(chromedp.CSS(`a[href="/accounts/M1/invoices"]`)), chromedp.WaitVisible(chromedp.ID("month")),
		chromedp.SendKeys(chromedp.ID("month"), "2026-07"))
	zipped := b.download(`#files button`)
	zr, err := zip.NewReader(strings.NewReader(string(zipped)), int64(len(zipped)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	sort.Strings(names)
	if len(names) != 9 || names[0] != "M1_2026-06-01_EUR_INV-2026-000003_invoice.pdf" {
		t.Errorf("zip entries: %q", names)
	}

	// An operator's pages: the audit log, and an invoice with its refund form.
	operator := p.token("--role", "operator")
	b.run(chromedp.Click(chromedp.CSS("form.signout button")), chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), operator), chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.CSS(`input[name="q"]`)))
	b.run(chromedp.Navigate(p.base+"/audit"), chromedp.WaitVisible(chromedp.CSS("main table")))
	b.audit("audit log")
	b.run(chromedp.Navigate(p.base+"/accounts/P1/invoices/"+p1Invoice), chromedp.WaitVisible(chromedp.ID("download-invoice")))
	b.audit("operator's invoice")

	// The operators' webhooks page: an endpoint disabled by a 410 is sent
	// a test event, then enabled again; an event is replayed; each audited.
	endpoint := strings.SplitN(p.billing("webhooks", "add", "--url", "https://erp.example.com/billing"), "\n", 2)[0]
	p.db.MustExec(`UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = 'the endpoint answered 410 Gone' WHERE endpoint_id = $1`, endpoint)
	b.run(chromedp.Navigate(p.base+"/webhook-endpoints"), chromedp.WaitVisible(chromedp.ID("ep-"+endpoint)))
	b.screenshot("webhooks")
	notice := func(want string) { // the next page's notice, within 10 s
		t.Helper()
		ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.Search(`//p[@class="notice" and text()="`+want+`"]`))); err != nil {
			t.Fatalf("notice %q, want %q (%v)", b.text("p.notice"), want, err)
		}
	}
	b.run(chromedp.Click(chromedp.CSS(`form[action="/webhook-endpoints/` + endpoint + `/test"] button`)))
	notice("A webhook.test event is queued for " + endpoint + ".")
	b.run(chromedp.Click(chromedp.CSS(`form[action="/webhook-endpoints/` + endpoint + `/enable"] button`)))
	notice(endpoint + " is enabled; 0 deliveries of what it missed are queued.")
	if got := b.text("#ep-" + endpoint + " .status"); got != "enabled" {
		t.Errorf("the endpoint is %q after Enable again", got)
	}
	b.run(chromedp.SendKeys(chromedp.ID("replay-"+endpoint), "evt_0000000000000001"), chromedp.Submit(chromedp.ID("replay-"+endpoint)))
	notice("Event evt_0000000000000001 is queued for " + endpoint + " again.")
	b.audit("webhooks after a replay")
	var audited string
	if err := p.db.Get(&audited, `SELECT string_agg(action || ' ' || object || ' ' || outcome, ', ' ORDER BY entry_id) FROM audit_log WHERE action LIKE 'webhook%'`); err != nil {
		t.Fatal(err)
	}
	if want := "webhook_test " + endpoint + " ok, webhook_enable " + endpoint + " ok, webhook_replay evt_0000000000000001 to " + endpoint + " ok"; audited != want {
		t.Errorf("audited %q, want %q", audited, want)
	}

	// The API holds the same line for the account holder.
	token := p.token("--account", "P1")
	if status, body, raw := p.api(token, "GET", "/api/v1/invoices/"+u1Invoice, nil); status != http.StatusNotFound || body["error"].(map[string]any)["code"] != "not_found" {
		t.Errorf("P1's token reading U1's invoice: %d %s", status, raw)
	}
}

// tabTo presses Tab until the element matching selector has the focus, as
// a keyboard user reaches it (at most 80 presses).
func (b *browserSession) tabTo(selector string) {
	b.t.Helper()
	for range 80 {
		if eval[bool](b, `!!document.activeElement && document.activeElement.matches(`+strconv.Quote(selector)+`)`) {
			return
		}
		b.run(chromedp.KeyEvent(kb.Tab))
	}
	b.t.Fatalf("80 presses of Tab never reached %s", selector)
}

// A keyboard alone, no pointer: sign in with a token, open an invoice,
// download its PDF, and pay part of the balance with a card (§11).
func TestThePortalWorksWithAKeyboardAlone(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	b := newBrowser(t)
	token := p.token("--account", "P1")
	b.run(chromedp.Navigate(p.base+"/signin"), chromedp.WaitVisible(chromedp.ID("token")))
	b.tabTo("#token")
	b.run(chromedp.KeyEvent(token), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(".balances")))

	b.tabTo(`a[href="/accounts/P1/invoices/` + p1Invoice + `"]`)
	b.run(chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("download-pdf")))
	if got := b.text("h1"); got != "Invoice "+p1Invoice {
		t.Fatalf("after Enter on the invoice's link: %q", got)
	}
	b.tabTo("#download-pdf")
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	b.run(chromedp.KeyEvent(kb.Enter))
	var pdf []byte
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("waiting for the PDF: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			pdf = readFile(t, filepath.Join(b.downloads, ev.GUID))
			break
		}
	}
	if path, _ := p.storedFile(p1Invoice, "pdf"); string(pdf) != string(readFile(t, path)) || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("the PDF downloaded by keyboard (%d bytes) is not the stored one", len(pdf))
	}

	b.tabTo("a.cta")
	b.run(chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("pay")))
	b.tabTo(`input[name="what"][value="all"]`)
	b.run(chromedp.KeyEvent(kb.ArrowDown)) // the radio group's next choice: part of it
	if !eval[bool](b, `document.querySelector("#what-part").checked`) {
		t.Fatal("ArrowDown did not choose to pay part of the balance")
	}
	b.tabTo("#amount")
	b.run(chromedp.KeyEvent("12.34"))
	b.tabTo("#pay")
	b.run(chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("submit"))) // another card: the hosted page
	for _, field := range []struct{ id, keys string }{
		{"#number", "4242 4242 4242 4242"}, {"#exp", "12/30"}, {"#cvc", "123"}, {"#name", "Pat Pine"},
	} {
		b.tabTo(field.id)
		b.run(chromedp.KeyEvent(field.keys))
	}
	b.tabTo("#submit")
	b.run(chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("paid-amount")))
	if got := b.text("#paid-amount"); got != "12.34 USD" {
		t.Errorf("paid %q by keyboard, want 12.34 USD", got)
	}
	if got := b.text(".balance-USD"); got != "35.66" {
		t.Errorf("the balance after paying 12.34 of 48.00: %q", got)
	}
}
