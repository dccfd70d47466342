package portal_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/openbilling/billing/access"
	"github.com/openbilling/billing/emit"
	"github.com/openbilling/billing/internal/testkit/apicontract"
	"github.com/openbilling/billing/internal/testkit/pgtest"
	"github.com/openbilling/billing/payments"
	"github.com/openbilling/billing/payments/gateway"
	"github.com/openbilling/billing/pipeline"
	"github.com/openbilling/billing/portal"
	"github.com/openbilling/billing/store"
)

// serve runs the portal over a database with account P1 (one invoice of
// 10.00 USD) and the payments service pay makes; it returns its address
// and a token of P1's holder.
func serve(t *testing.T, pay func(*store.DB) (*payments.Service, http.Handler)) (string, string) {
	t.Helper()
	raw, _ := pgtest.NewDB(t)
	raw.MustExec(`INSERT INTO accounts (account_id, name, country, currency, billing_day, email) VALUES ('P1', 'Pinewood Software', 'US', 'USD', 15, 'billing@pinewood.example')`)
	raw.MustExec(`INSERT INTO invoices (number, series, seq, account_id, type, billing, currency, window_start, window_end, issue_date, subtotal, tax, total)
		VALUES ('INV-2026-000001', 'INV-2026', 1, 'P1', 'new', 'anniversary', 'USD', '2026-05-15', '2026-06-14', '2026-06-15', 10, 0, 10)`)
	raw.MustExec(`INSERT INTO ledger_entries (account_id, currency, kind, amount, invoice_number) VALUES ('P1', 'USD', 'invoice', 10, 'INV-2026-000001')`)
	db := store.New(raw)
	holder, _, err := access.CreateToken(context.Background(), db, access.RoleAccount, "P1", "")
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.DiscardHandler)
	files := &emit.FileEmitter{OutputDir: t.TempDir(), Log: quiet}
	svc, hosted := pay(db)
	s := &portal.Server{DB: db, Payments: svc, Files: files, Pipeline: &pipeline.Pipeline{DB: db, Log: quiet, Emitter: files, Payments: svc},
		Log: quiet, Hosted: hosted}
	srv := httptest.NewUnstartedServer(nil)
	srv.Start()
	t.Cleanup(srv.Close)
	s.PublicURL = srv.URL
	if sandbox, ok := svc.Gateway.(*gateway.Sandbox); ok {
		sandbox.PublicURL = srv.URL
	}
	h, err := s.Handler(nil)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h
	return srv.URL, holder
}

func sandboxService(db *store.DB) (*payments.Service, http.Handler) {
	sandbox := &gateway.Sandbox{DB: db}
	return &payments.Service{DB: db, Gateway: sandbox}, sandbox.CheckoutHandler()
}

// call makes an API request, checks its answer against the OpenAPI
// document and decodes it.
func call(t *testing.T, method, url, token, body string, into any) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	apicontract.Check(t, req, resp, raw)
	if into != nil {
		if err := json.Unmarshal(raw, into); err != nil {
			t.Fatalf("%s %s: %v: %s", method, url, err, raw)
		}
	}
	return resp.StatusCode
}

// The API answers a payment or a card without the sandbox's card object
// with the hosted page to send the holder to (§11, §9.1), and the page,
// served apart from the portal's, records what the holder does on it.
func TestTheAPIAnswersAHostedPageForACardOrAPaymentWithoutCardDetails(t *testing.T) {
	t.Parallel()
	base, holder := serve(t, sandboxService)
	var page struct {
		RedirectURL string `json:"redirect_url"`
		CheckoutID  string `json:"checkout_id"`
		Key         string `json:"idempotency_key"`
	}
	if code := call(t, "POST", base+"/api/v1/payments", holder, `{"currency": "USD", "amount": "4.00", "hosted": "paypal"}`, &page); code != 201 ||
		page.RedirectURL != base+"/sandbox/checkout/"+page.CheckoutID || !strings.HasPrefix(page.CheckoutID, "cs_sbx_") {
		t.Fatalf("payment: %d %+v", code, page)
	}
	// The holder pays on the page and is sent back to the portal's return.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(page.RedirectURL, url.Values{"paypal": {"buyer@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if want := base + "/accounts/P1/pay/return?session=" + page.CheckoutID; resp.StatusCode != 303 || resp.Header.Get("Location") != want {
		t.Fatalf("page: %d to %q, want %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}

	var card struct {
		RedirectURL string `json:"redirect_url"`
	}
	if code := call(t, "POST", base+"/api/v1/payment-methods", holder, `{"default": true}`, &card); code != 201 ||
		!strings.HasPrefix(card.RedirectURL, base+"/sandbox/checkout/cs_sbx_") {
		t.Fatalf("card: %d %+v", code, card)
	}
	var refused struct{ Error struct{ Code string } }
	if code := call(t, "POST", base+"/api/v1/payments", holder, `{"currency": "USD", "amount": "4.00", "hosted": "cash"}`, &refused); code != 422 ||
		refused.Error.Code != "invalid_request" {
		t.Fatalf("hosted cash: %d %+v", code, refused)
	}
}

// POST /webhooks/stripe takes only events signed with the webhook secret,
// keeps each once, and is there only with a provider that sends events.
func TestTheStripeEventRouteTakesOnlySignedEventsOnce(t *testing.T) {
	t.Parallel()
	const secret = "whsec_route_test"
	base, _ := serve(t, func(db *store.DB) (*payments.Service, http.Handler) {
		s := gateway.NewStripe("sk_test_x", "http://127.0.0.1:1", nil)
		s.WebhookSecret = secret
		return &payments.Service{DB: db, Gateway: s, Provider: "stripe"}, nil
	})
	payload := []byte(`{"id": "evt_route_1", "object": "event", "type": "customer.created", "api_version": "2025-08-27.basil", "data": {"object": {"id": "cus_1", "object": "customer"}}}`)
	post := func(header string) (int, string) {
		req, _ := http.NewRequest("POST", base+"/webhooks/stripe", strings.NewReader(string(payload)))
		req.Header.Set("Stripe-Signature", header)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, strings.Join(strings.Fields(string(body)), " ")
	}
	good := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: time.Now()}).Header
	wrong := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: "whsec_other", Timestamp: time.Now()}).Header
	stale := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: time.Now().Add(-10 * time.Minute)}).Header
	for _, c := range []struct {
		name, header string
		code         int
		body         string
	}{
		{"wrong secret", wrong, 400, `"code": "bad_signature"`},
		{"stale", stale, 400, `"code": "bad_signature"`},
		{"signed", good, 200, `{ "duplicate": false, "received": true }`},
		{"again", good, 200, `{ "duplicate": true, "received": true }`},
	} {
		if code, body := post(c.header); code != c.code || !strings.Contains(body, c.body) {
			t.Errorf("%s: %d %s, want %d %s", c.name, code, body, c.code, c.body)
		}
	}

	sandboxBase, _ := serve(t, sandboxService)
	resp, err := http.Post(sandboxBase+"/webhooks/stripe", "application/json", strings.NewReader(string(payload)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("with the sandbox: %d, want 404", resp.StatusCode)
	}
}

// A payment's disputes show in the API and on the payments page (§9.1).
func TestAPaymentsDisputesAreShown(t *testing.T) {
	t.Parallel()
	var db *store.DB
	base, holder := serve(t, func(d *store.DB) (*payments.Service, http.Handler) {
		db = d
		return sandboxService(d)
	})
	ctx := context.Background()
	pay := &payments.Service{DB: db, Gateway: &gateway.Sandbox{DB: db}}
	res, err := pay.Pay(ctx, payments.PayRequest{AccountID: "P1", Currency: "USD", Amount: decimal.RequireFromString("10.00"),
		Card: &gateway.Card{Number: "4242424242424242", ExpMonth: 12, ExpYear: 2030, CVC: "123"}, AsOf: time.Now()})
	if err != nil || res.Status != "succeeded" {
		t.Fatalf("pay: %+v, %v", res, err)
	}
	var ref string
	if err := db.DriverDB().QueryRow(`SELECT gateway_reference FROM payments WHERE payment_id = $1`, res.PaymentID).Scan(&ref); err != nil {
		t.Fatal(err)
	}
	if _, err := pay.RecordDispute(ctx, gateway.Dispute{ID: "dp_shown", Reference: ref, Amount: decimal.RequireFromString("4.00"),
		Currency: "USD", Reason: "fraudulent", Status: gateway.DisputeOpen}); err != nil {
		t.Fatal(err)
	}
	var list []struct {
		Disputed string `json:"disputed"`
		Disputes []struct{ ID, Status, Amount string }
		Paid     []struct{ Number, Amount string } `json:"paid_invoices"`
	}
	if code := call(t, "GET", base+"/api/v1/payments", holder, "", &list); code != 200 || len(list) != 1 {
		t.Fatalf("payments: %d %+v", code, list)
	}
	if p := list[0]; p.Disputed != "4.00" || len(p.Disputes) != 1 || p.Disputes[0] != (struct{ ID, Status, Amount string }{"dp_shown", "open", "4.00"}) ||
		len(p.Paid) != 1 || p.Paid[0].Amount != "6.00" {
		t.Fatalf("the disputed payment: %+v", p)
	}

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.PostForm(base+"/signin/token", url.Values{"token": {holder}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = client.Get(base + "/accounts/P1/payments")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	text := strings.Join(strings.Fields(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(string(page), " ")), " ")
	if want := "INV-2026-000001 6.00 open 4.00 (dp_shown)"; resp.StatusCode != 200 || !strings.Contains(text, want) {
		t.Fatalf("payments page %d lacks %q:\n%s", resp.StatusCode, want, text)
	}
}
