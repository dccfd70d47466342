package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/internal/testkit/stripemock"
)

// A card on file pays each new invoice in the run's collect stage; a refund
// of card-paid lines goes back to the card, never past what was paid; an
// operator's credit pays what is due next. Every step as an operator runs it.
func TestCardOnFileRefundAndCreditThroughTheCommandLine(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	out := o.billing("payment-methods", "add", "--account", "P1", "--card", "4242 4242 4242 4242", "--exp", "12/30", "--cvc", "123", "--name", "Pat Pine")
	assertText(t, "add", out, "card 1: visa ending 4242, expires 12/2030, valid, default\n")
	out = o.billing("run", "--as-of", "2026-08-08T00:00:00Z")
	if !strings.Contains(out, "charges made:          2 (2 succeeded, 0 soft-declined to retry, 0 hard-declined, 0 without an answer yet)") {
		t.Fatalf("run:\n%s", out)
	}
	for _, n := range []string{"INV-2026-000001", "INV-2026-000006"} {
		if inv := o.invoice(n); inv.AmountDue != "0.00" || inv.Status != "paid" {
			t.Fatalf("%s: due %s, %s", n, inv.AmountDue, inv.Status)
		}
	}

	out = o.billing("refund", "--invoice", "INV-2026-000001", "--line", "1", "--reason", "seat never used", "--as-of", "2026-08-10T00:00:00Z")
	assertText(t, "refund", out, "refund INV-2026-000011 of invoice INV-2026-000001: 4.00 USD (3 files written)\n"+
		"  paid back to the visa ending 4242 (payment PAY-1): 4.00 USD, succeeded\n")
	code, _, errOut := billing(t, "refund", "--invoice", "INV-2026-000001", "--amount", "20.01", "--reason", "too much", "--database-url", o.url)
	if code != 1 || errOut != "billing: refund exceeds what is left to refund: invoice INV-2026-000001 charged 24.00 USD and 4.00 was refunded before, so at most 20.00 can be refunded; this refund is 20.01\n" {
		t.Fatalf("over-refund: %d %q", code, errOut)
	}
	code, _, errOut = billing(t, "refund", "--invoice", "INV-2026-000001", "--line", "1", "--reason", "again", "--database-url", o.url)
	if code != 1 || errOut != "billing: line 1 of invoice INV-2026-000001 was refunded before\n" {
		t.Fatalf("second refund of a line: %d %q", code, errOut)
	}
	refund := o.invoice("INV-2026-000011")
	if refund.Type != "refund" || *refund.Adjusts != "INV-2026-000001" || refund.Total != "-4.00" || refund.Files == nil {
		t.Fatalf("refund invoice: %+v", refund)
	}
	if _, err := os.Stat(refund.Files.Invoice); err != nil {
		t.Fatal(err)
	}

	out = o.billing("credit", "--account", "U1", "--currency", "USD", "--amount", "10.00", "--reason", "outage", "--as-of", "2026-08-10T00:00:00Z")
	assertText(t, "credit", out, "credit INV-2026-000012: 10.00 USD to account U1 (3 files written)\n")
	// U1 has no card: its credit pays its oldest open invoice.
	if inv := o.invoice("INV-2026-000002"); inv.Status != "partially_paid" {
		t.Fatalf("INV-2026-000002 after the credit: %s due %s of %s", inv.Status, inv.AmountDue, inv.Total)
	} else if want := decimal.RequireFromString(inv.Total).Sub(decimal.NewFromInt(10)).StringFixed(2); inv.AmountDue != want {
		t.Fatalf("INV-2026-000002 due %s, want %s", inv.AmountDue, want)
	}
	if out := o.billing("verify", "--files", "full"); !strings.HasPrefix(out, "16 checks, 36 files (full), 0 breaches") {
		t.Fatalf("verify: %s", out)
	}
}

// A refund pays back to a card at most what the card paid of the invoice;
// the rest of it is credit, which pays the next open invoice.
func TestARefundPaysBackOnlyWhatTheCardPaid(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	o.billing("run", "--as-of", "2026-08-08T00:00:00Z")
	assertText(t, "card payment", o.billing("pay", "--account", "P1", "--currency", "USD", "--amount", "10.00", "--card", "5555555555554444", "--exp", "01/29", "--cvc", "123",
		"--idempotency-key", "card-10"), "payment PAY-1: 10.00 USD by mastercard ending 4444 succeeded (idempotency key card-10)\n")
	o.billing("pay", "--account", "P1", "--currency", "USD", "--amount", "14.00", "--paypal", "buyer@example.com")
	if inv := o.invoice("INV-2026-000001"); inv.Status != "paid" {
		t.Fatalf("INV-2026-000001: %s", inv.Status)
	}
	out := o.billing("refund", "--invoice", "INV-2026-000001", "--all", "--reason", "cancelled", "--as-of", "2026-08-10T00:00:00Z")
	assertText(t, "refund", out, "refund INV-2026-000011 of invoice INV-2026-000001: 24.00 USD (3 files written)\n"+
		"  paid back to the mastercard ending 4444 (payment PAY-1): 10.00 USD, succeeded\n")
	if inv := o.invoice("INV-2026-000006"); inv.AmountDue != "10.00" || inv.Status != "partially_paid" {
		t.Fatalf("INV-2026-000006 after the refund's credit: due %s, %s", inv.AmountDue, inv.Status)
	}
	var refunded string
	if err := o.db.Get(&refunded, `SELECT coalesce(sum(amount), 0)::text FROM sandbox.requests WHERE kind = 'refund' AND status = 'succeeded'`); err != nil || refunded != "10.00" {
		t.Fatalf("the gateway paid back %s (%v)", refunded, err)
	}
}

// A card's number and security code reach no table, no log line and no
// error, whether given to the sandbox directly or on its hosted page, and
// the Stripe secret key reaches none either: the whole database is dumped
// and searched for them (§9, §9.1).
func TestACardNumberIsNeverStoredLoggedOrEchoed(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	const number, spaced, cvc = "4000000000000002", "4000 0000 0000 0002", "7319"
	var logs strings.Builder
	run := func(args ...string) {
		code, out, errOut := billing(t, append(args, "--database-url", o.url, "--output-dir", o.dir, "--log-level", "debug")...)
		logs.WriteString(out + errOut)
		if code != 0 {
			t.Fatalf("billing %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
	}
	run("payment-methods", "add", "--account", "P1", "--card", spaced, "--exp", "12/30", "--cvc", cvc, "--name", "Pat Pine")
	run("run", "--as-of", "2026-08-08T00:00:00Z")
	code, out, errOut := billing(t, "pay", "--account", "U1", "--currency", "USD", "--amount", "1.00", "--card", number, "--exp", "12/30", "--cvc", cvc, "--database-url", o.url, "--log-level", "debug")
	logs.WriteString(out + errOut)
	if code != 1 || !strings.Contains(errOut, "declined: generic_decline") {
		t.Fatalf("pay with a card that declines its first charge: %d %q", code, errOut)
	}
	code, _, errOut = billing(t, "pay", "--account", "U1", "--currency", "USD", "--amount", "1.00", "--card", "4000000000000003", "--exp", "12/30", "--cvc", cvc, "--database-url", o.url)
	logs.WriteString(errOut)
	if code != 1 || errOut != "billing: card number ending 0003 is not a valid card number (Luhn check failed)\n" {
		t.Fatalf("a number failing the Luhn check: %d %q", code, errOut)
	}

	// The hosted pages: a card saved and a payment made on the sandbox's page.
	p := startPortal(t, o, "--log-level", "debug")
	holder := p.token("--account", "U1")
	form := func(page string, fields url.Values) {
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).PostForm(page, fields)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("the hosted page %s answered %d", page, resp.StatusCode)
		}
	}
	for _, c := range []struct{ path, body string }{
		{"/api/v1/payment-methods", `{"default": true}`}, {"/api/v1/payments", `{"currency": "USD", "amount": "2.00"}`},
	} {
		status, page, raw := p.api(holder, "POST", c.path, json.RawMessage(c.body))
		if status != 201 {
			t.Fatalf("POST %s: %d %s", c.path, status, raw)
		}
		form(page["redirect_url"].(string), url.Values{"number": {"4242 4242 4242 4242"}, "exp": {"12/30"}, "cvc": {cvc}, "name": {"Una Umber"}})
	}
	logs.WriteString(p.stop())

	// Stripe: its secret key appears nowhere, and card details given to
	// billing itself are refused.
	const stripeKey = "sk_test_51NeverShownAnywhere0123456789"
	stripe := []string{"--payment-gateway", "stripe", "--stripe-secret-key", stripeKey, "--stripe-api-url", stripemock.Start(t)}
	code, out, errOut = billing(t, append([]string{"pay", "--account", "U1", "--currency", "USD", "--amount", "1.00", "--card", number, "--exp", "12/30",
		"--cvc", cvc, "--database-url", o.url, "--log-level", "debug"}, stripe...)...)
	logs.WriteString(out + errOut)
	if code != 1 || !strings.Contains(errOut, "takes card details only on its hosted page") {
		t.Fatalf("pay --card with Stripe: %d %q", code, errOut)
	}
	run(append([]string{"config", "check"}, stripe...)...)
	if !strings.Contains(logs.String(), "stripe_secret_key") {
		t.Fatal("config check did not list stripe_secret_key")
	}
	run(append([]string{"run", "--as-of", "2026-09-08T00:00:00Z", "--stage", "collect"}, stripe...)...)

	pgDump, err := exec.LookPath("pg_dump")
	if err != nil {
		t.Fatalf("pg_dump is needed to search the database for card numbers (apt-get install -y postgresql-client): %v", err)
	}
	dump, err := exec.Command(pgDump, "--data-only", o.url).Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	if !strings.Contains(string(dump), "tok_sbx_") {
		t.Fatal("the dump holds no card token: it is not the database the cards were added to")
	}
	// The gateway's random tokens and references could hold any four digits.
	text := regexp.MustCompile(`(tok|ch|re|cs)_sbx_[0-9a-f]+`).ReplaceAllString(string(dump), "")
	// Timestamps, the runs' timings and the ids of the processes that worked
	// their units are digits too: they go, and the security code is looked
	// for as a number of its own, never inside a longer run of digits.
	for _, random := range []string{
		`\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)?`, // timestamps
		`\d{4}_\d{2}_\d{2}T\d{2}_\d{2}_\d{2}_\d+`,                                // the job queue's client ids
		`"seconds": ?\{[^}]*\}`, `"worker": ?"[^"]*"`,                            // a run's timings and processes
	} {
		text = regexp.MustCompile(random).ReplaceAllString(text, "")
	}
	alone := regexp.MustCompile(`(^|[^0-9])` + cvc + `([^0-9]|$)`)
	if strings.Contains(text, stripeKey) || strings.Contains(logs.String(), stripeKey) || strings.Contains(logs.String(), "NeverShownAnywhere") {
		t.Error("the Stripe secret key is in the database, the output or the logs")
	}
	for _, secret := range []string{number, spaced, "0000000000000002", cvc, "4000000000000003", "4242424242424242", "4242 4242 4242 4242"} {
		if secret == cvc && alone.MatchString(text) || secret != cvc && strings.Contains(text, secret) {
			t.Errorf("the database holds %q", secret)
		}
		if secret != cvc && strings.Contains(logs.String(), secret) { // log lines hold timings: any four digits
			t.Errorf("the output or logs hold %q", secret)
		}
	}
}
