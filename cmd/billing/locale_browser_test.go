package main

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// pageTexts is every text of the page a person reads or hears: its text
// nodes (closed details included; code and what the page marks
// translate="no", the audit log's recorded words, left out), its labels for screen
// readers, placeholders and titles, and the document's title.
const pageTexts = `(() => {
	const out = [document.title];
	const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	while (w.nextNode()) {
		const n = w.currentNode;
		if (n.parentElement.closest("code, script, style, [translate=no]")) continue;
		const s = n.textContent.trim();
		if (s) out.push(s);
	}
	for (const e of document.querySelectorAll("[aria-label], [placeholder], [title], [alt]"))
		for (const a of ["aria-label", "placeholder", "title", "alt"])
			if (e.getAttribute(a)) out.push(e.getAttribute(a));
	return out;
})()`

var (
	identifier = regexp.MustCompile(`\S+@\S+|\b[A-Za-z]*[0-9][A-Za-z0-9_-]*\b|\b[A-Z]+(?:[-_][A-Za-z0-9]+)+\b|\b[A-Z]{2,4}\b`)
	word       = regexp.MustCompile(`[A-Za-z]{2,}`)
)

// untranslated are the texts that hold an English word which is neither
// data (a name, an id, a code) nor one of the words every language shows
// as they are.
func untranslated(texts []string, data map[string]bool) []string {
	var out []string
	for _, s := range texts {
		for _, w := range word.FindAllString(identifier.ReplaceAllString(s, " "), -1) {
			if !data[strings.ToLower(w)] {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// dataWords are the words of the data a page may show, lower-cased, and
// the names every language keeps: the product's English name for itself
// in the language chooser, PayPal, file kinds.
func dataWords(t *testing.T, p *portalServer) map[string]bool {
	t.Helper()
	var names []string
	if err := p.db.Select(&names, `SELECT name FROM accounts UNION SELECT name FROM customers UNION SELECT name FROM products
		UNION SELECT coalesce(holder_name, '') FROM payment_methods UNION SELECT brand FROM payment_methods
		UNION SELECT method_label FROM payments UNION SELECT account_id FROM accounts`); err != nil {
		t.Fatal(err)
	}
	words := map[string]bool{}
	for _, n := range append(names, "English", "PayPal", "PDF", "xlsx", "zip", "YYYY", "MM", "UTC", "ms", "by", "ending") {
		for _, w := range word.FindAllString(n, -1) {
			words[strings.ToLower(w)] = true
		}
	}
	return words
}

// The portal in Korean, in a real Chromium: an account holder whose account
// is Korean reads every page in Korean (html lang="ko", dates as Korean
// writes them, codes named), each page audited by axe-core and checked
// for English left untranslated; the chooser switches to English and back,
// and the sign-in page follows it.
func TestThePortalInKorean(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	p.billing("account", "set-locale", "--account", "P1", "--locale", "ko")
	data := dataWords(t, p)
	if got := untranslated([]string{"청구서 INV-2026-000006 · USD 24.00", "Pinewood Software", "Amount due"}, data); !slices.Equal(got, []string{"Amount due"}) {
		t.Fatalf("the check of untranslated text finds %q, want only \"Amount due\"", got)
	}
	b := newBrowser(t)
	check := func(page, h1 string) {
		t.Helper()
		if got := b.text("h1"); got != h1 {
			t.Errorf("the %s page's heading is %q, want %q", page, got, h1)
		}
		if lang := eval[string](b, `document.documentElement.lang`); lang != "ko" {
			t.Errorf("the %s page is lang=%q", page, lang)
		}
		b.audit(page + " (ko)")
		for _, s := range untranslated(eval[[]string](b, pageTexts), data) {
			t.Errorf("the Korean %s page shows English: %q", page, s)
		}
	}

	// The browser asks for English; the account's locale wins once the
	// holder is signed in.
	token := p.token("--account", "P1")
	b.run(chromedp.Navigate(p.base+"/signin"), chromedp.WaitVisible(chromedp.ID("token")))
	if got := b.text("h1"); got != "Sign in" {
		t.Fatalf("the sign-in page for an English browser: %q", got)
	}
	b.run(chromedp.SendKeys(chromedp.ID("token"), token), chromedp.Submit(chromedp.ID("token")), chromedp.WaitVisible(chromedp.CSS(".balances")))
	check("invoices", "청구서")
	rows := eval[[]string](b, `[...document.querySelectorAll("main tbody tr")].map(r => r.innerText.replace(/\s+/g, " ").trim())`)
	want := []string{
		"INV-2026-000006 2026. 7. 15. 정기 가입일 기준 2026. 6. 15. – 2026. 7. 14. USD 24.00 24.00 2026. 8. 14. 미결 연체",
		"INV-2026-000001 2026. 6. 15. 신규 가입일 기준 2026. 5. 15. – 2026. 6. 14. USD 24.00 24.00 2026. 7. 15. 미결 연체",
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("Korean invoice rows:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	if got := b.text(".balance .amount"); got != "48.00 USD" {
		t.Errorf("balance %q", got)
	}
	b.screenshot("invoices-ko")

	b.run(chromedp.Click(chromedp.CSS(`a[href="/accounts/P1/invoices/`+p1Invoice+`"]`)), chromedp.WaitVisible(chromedp.ID("download-invoice")),
		chromedp.Click(chromedp.CSS("ol.lines > li:nth-child(9) summary")), chromedp.WaitVisible(chromedp.CSS("ol.lines > li:nth-child(9) dl")))
	check("invoice", "청구서 "+p1Invoice)
	if got := b.text("ol.lines > li:nth-child(9) dl"); !strings.Contains(got, "청구 일수\n약정 30일 중 29일") || !strings.Contains(got, "서비스 기간\n2026. 6. 12. – 2026. 7. 10.") {
		t.Errorf("the prorated line's detail in Korean:\n%s", got)
	}
	b.screenshot("invoice-ko")

	for _, page := range []struct{ path, h1 string }{
		{"summary", "청구 요약"}, {"payments", "결제 내역"}, {"payment-methods", "결제 수단"}, {"pay", "결제하기"},
	} {
		b.run(chromedp.Navigate(p.base+"/accounts/P1/"+page.path), chromedp.WaitVisible(chromedp.CSS("main h1")))
		check(page.path, page.h1)
	}
	b.run(chromedp.Navigate(p.base+"/accounts/P1/invoices/INV-1999-000001"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	check("not-found", "찾을 수 없음")
	if got := b.text(".problem"); got != "여기에는 아무것도 없거나, 볼 수 있는 권한이 없습니다." {
		t.Errorf("the 404 page says %q", got)
	}

	// The holder's choice comes first, and stays for the sign-in page.
	b.run(chromedp.Navigate(p.base+"/accounts/P1/pay"), chromedp.WaitVisible(chromedp.ID("pay")),
		chromedp.Click(chromedp.CSS(`nav.languages a[lang="en"]`)), chromedp.WaitVisible(chromedp.Search(`//h1[text()="Pay"]`)))
	if got := eval[string](b, `location.pathname`); got != "/accounts/P1/pay" {
		t.Errorf("the chooser came back to %s", got)
	}
	b.run(chromedp.Click(chromedp.CSS(`nav.languages a[lang="ko"]`)), chromedp.WaitVisible(chromedp.Search(`//h1[text()="결제하기"]`)),
		chromedp.Click(chromedp.CSS("form.signout button")), chromedp.WaitVisible(chromedp.ID("token")))
	check("sign-in", "로그인")

	// An operator who chose Korean reads the staff pages in Korean, whatever
	// the account's locale.
	b.run(chromedp.SendKeys(chromedp.ID("token"), p.token("--role", "operator")), chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.CSS("form.signout")))
	for _, page := range []struct{ path, h1 string }{
		{"/accounts", "계정 목록"}, {"/accounts/U1/invoices", "청구서"}, {"/accounts/U1/invoices/" + u1Invoice, "청구서 " + u1Invoice},
		{"/audit", "감사 로그"}, {"/webhook-endpoints", "웹훅 엔드포인트"},
	} {
		b.run(chromedp.Navigate(p.base+page.path), chromedp.WaitVisible(chromedp.CSS("main h1")))
		check("operator's "+page.path, page.h1)
	}
}
