package payments_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/openbilling/billing/internal/testkit/stripemock"
	"github.com/openbilling/billing/payments"
	"github.com/openbilling/billing/payments/gateway"
	"github.com/openbilling/billing/store"
)

const webhookSecret = "whsec_test_secret"

// stripeEvents is a payments service over the book's database whose
// gateway is Stripe's, as billing serve runs it with payment_gateway
// stripe: what it is asked here (events) calls no Stripe API.
func (b *book) stripeEvents() *payments.Service {
	s := gateway.NewStripe("sk_test_x", "http://127.0.0.1:1", nil)
	s.WebhookSecret = webhookSecret
	return &payments.Service{DB: b.svc.DB, Gateway: s, Provider: "stripe", Operators: []string{"ops@example.com"}}
}

// signed is an event signed as Stripe signs them, at t.
func signed(payload string, t time.Time) ([]byte, string) {
	p := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(payload), Secret: webhookSecret, Timestamp: t})
	return p.Payload, p.Header
}

// disputeEvent is a Stripe event of a dispute of the payment whose
// reference is ref.
func disputeEvent(id, typ, dispute, status string, cents int, ref string) string {
	return fmt.Sprintf(`{"id": %q, "object": "event", "type": %q, "api_version": "2025-08-27.basil", "created": 1780000000,
		"data": {"object": {"id": %q, "object": "dispute", "amount": %d, "currency": "usd", "status": %q, "reason": "fraudulent",
		"payment_intent": %q, "charge": "ch_1"}}}`, id, typ, dispute, cents, status, ref)
}

// send posts an event to the service as POST /webhooks/stripe does.
func (b *book) send(s *payments.Service, payload string) (kept bool) {
	b.t.Helper()
	body, header := signed(payload, time.Now())
	_, kept, err := s.ReceiveEvent(context.Background(), body, header, time.Now())
	if err != nil {
		b.t.Fatal(err)
	}
	return kept
}

// paidByCard issues an invoice of 24.00 to A1 and collects it from a card
// on file (PAY-1); it returns the invoice's number.
func (b *book) paidByCard() string {
	b.t.Helper()
	b.addCard("4242424242424242")
	number := b.finalize("2026-07-15", "24.00")
	b.collect("2026-07-15T01:00:00Z", payments.CollectReport{Charged: 1, Succeeded: 1})
	return number
}

// disputeLedger is a dispute's ledger entries, in order.
func (b *book) disputeLedger(id string) string {
	b.t.Helper()
	var entries string
	if err := b.db.Get(&entries, `SELECT string_agg(kind || ' ' || amount::text, ', ' ORDER BY entry_id) FROM ledger_entries WHERE dispute_id = $1`, id); err != nil {
		b.t.Fatal(err)
	}
	return entries
}

// reference is the gateway reference of the one payment of A1.
func (b *book) reference() string {
	b.t.Helper()
	var ref string
	if err := b.db.Get(&ref, `SELECT gateway_reference FROM payments WHERE account_id = 'A1'`); err != nil {
		b.t.Fatal(err)
	}
	return ref
}

func (b *book) balance() string {
	b.t.Helper()
	bal, err := store.AccountBalances(context.Background(), b.svc.DB, "A1")
	if err != nil || len(bal) != 1 {
		b.t.Fatalf("balances %v, %v", bal, err)
	}
	r := bal[0]
	return fmt.Sprintf("balance %s disputed %s", r.Invoiced.Sub(r.Paid).Add(r.PaidBack).Add(r.Disputed).StringFixed(2), r.Disputed.StringFixed(2))
}

func TestEventsWithABadOrStaleSignatureAreRefused(t *testing.T) {
	t.Parallel()
	b := newBook(t)
	s := b.stripeEvents()
	payload := disputeEvent("evt_1", "charge.dispute.created", "dp_1", "needs_response", 100, "pi_1")
	body, header := signed(payload, time.Now())
	for name, c := range map[string]struct {
		body   []byte
		header string
	}{
		"another secret": {body, strings.Replace(header, header[strings.Index(header, "v1=")+3:], strings.Repeat("0", 64), 1)},
		"altered body":   {[]byte(strings.Replace(string(body), "100", "999", 1)), header},
		"no signature":   {body, ""},
		"six minutes old": func() struct {
			body   []byte
			header string
		} {
			b, h := signed(payload, time.Now().Add(-6*time.Minute))
			return struct {
				body   []byte
				header string
			}{b, h}
		}(),
	} {
		_, kept, err := s.ReceiveEvent(context.Background(), c.body, c.header, time.Now())
		if !errors.Is(err, payments.ErrInvalidRequest) || kept {
			t.Errorf("%s: kept %t, %v; want refused", name, kept, err)
		}
	}
	var n int
	if err := b.db.Get(&n, `SELECT count(*) FROM provider_events`); err != nil || n != 0 {
		t.Fatalf("%d events kept (%v), want none", n, err)
	}
}

func TestADisputeOpenedThenWonReturnsTheAccountToItsBalance(t *testing.T) {
	t.Parallel()
	b := newBook(t)
	first := b.paidByCard()
	s, ref := b.stripeEvents(), b.reference()
	if got := b.balance(); got != "balance 0.00 disputed 0.00" {
		t.Fatalf("before: %s", got)
	}

	opened := disputeEvent("evt_1", "charge.dispute.created", "dp_1", "needs_response", 2400, ref)
	if !b.send(s, opened) || b.send(s, opened) {
		t.Fatal("the same event was not kept exactly once")
	}
	if got := b.balance(); got != "balance 24.00 disputed 24.00" {
		t.Fatalf("disputed: %s", got)
	}
	if got := b.due(); got != first+"=24.00" {
		t.Fatalf("due while disputed: %s", got)
	}
	b.expectOpen("while disputed", "invoice "+first)
	// The money may come back: no charge while the dispute is open.
	b.collect("2026-07-25T01:00:00Z", payments.CollectReport{})

	b.send(s, disputeEvent("evt_2", "charge.dispute.closed", "dp_1", "won", 2400, ref))
	b.send(s, disputeEvent("evt_3", "charge.dispute.updated", "dp_1", "under_review", 2400, ref)) // older news, later
	if got := b.balance(); got != "balance 0.00 disputed 0.00" {
		t.Fatalf("won: %s", got)
	}
	if got := b.due(); got != first+"=0.00" {
		t.Fatalf("due after won: %s", got)
	}
	b.expectOpen("after won", "")
	if got := b.disputeLedger("dp_1"); got != "allocation -24.00, dispute 24.00, dispute_reversal 24.00" {
		t.Fatalf("ledger of the dispute: %s", got)
	}
	var events string
	if err := b.db.Get(&events, `SELECT string_agg(type, ', ' ORDER BY seq) FROM events WHERE type IN ('payment.disputed', 'invoice.paid')`); err != nil {
		t.Fatal(err)
	}
	if events != "invoice.paid, payment.disputed, invoice.paid" {
		t.Fatalf("events: %s", events)
	}
	if got := strings.Join(b.outbox(), "; "); !strings.Contains(got, "a1@example.com: Payment PAY-1 is disputed") ||
		!strings.Contains(got, "ops@example.com: [billing] Dispute of payment PAY-1 won (account A1)") {
		t.Fatalf("e-mails: %s", got)
	}
}

func TestADisputeArrivingClosedFirstMovesTheMoneyOnce(t *testing.T) {
	t.Parallel()
	b := newBook(t)
	b.paidByCard()
	s, ref := b.stripeEvents(), b.reference()
	b.send(s, disputeEvent("evt_9", "charge.dispute.closed", "dp_9", "won", 1000, ref))
	b.send(s, disputeEvent("evt_8", "charge.dispute.created", "dp_9", "needs_response", 1000, ref))
	if got := b.disputeLedger("dp_9"); got != "allocation -10.00, dispute 10.00, dispute_reversal 10.00" {
		t.Fatalf("ledger of the dispute: %s", got)
	}
	if got := b.balance(); got != "balance 0.00 disputed 0.00" {
		t.Fatalf("balance: %s", got)
	}
}

func TestADisputeLostLeavesTheInvoiceOpenAndChargedAgainOnTheRetrySchedule(t *testing.T) {
	t.Parallel()
	b := newBook(t)
	first := b.paidByCard()
	s, ref := b.stripeEvents(), b.reference()
	b.send(s, disputeEvent("evt_1", "charge.dispute.created", "dp_1", "needs_response", 2400, ref))
	b.send(s, disputeEvent("evt_2", "charge.dispute.closed", "dp_1", "lost", 2400, ref))
	if got := b.balance(); got != "balance 24.00 disputed 24.00" {
		t.Fatalf("lost: %s", got)
	}
	var lost time.Time
	if err := b.db.Get(&lost, `SELECT closed_at FROM disputes WHERE dispute_id = 'dp_1'`); err != nil {
		t.Fatal(err)
	}
	day := func(d int) string {
		return lost.Add(time.Duration(d)*24*time.Hour - time.Minute).UTC().Format(time.RFC3339)
	}
	b.collect(day(3), payments.CollectReport{}) // a minute before the first retry
	b.collect(day(3)[:17]+"59Z", payments.CollectReport{})
	b.collect(lost.Add(3*24*time.Hour+time.Minute).UTC().Format(time.RFC3339), payments.CollectReport{Charged: 1, Succeeded: 1})
	b.collect(day(9), payments.CollectReport{})
	if got := b.due(); got != first+"=0.00" {
		t.Fatalf("due: %s", got)
	}
	if got := b.collected(); got != "48.00" {
		t.Fatalf("collected %s, want the first charge and the one after the loss", got)
	}
}

// checkoutSite serves the sandbox's hosted pages as billing serve does.
func (b *book) checkoutSite() (*gateway.Sandbox, string) {
	b.t.Helper()
	sandbox := b.svc.Gateway.(*gateway.Sandbox)
	site := httptest.NewServer(sandbox.CheckoutHandler())
	b.t.Cleanup(site.Close)
	sandbox.PublicURL = site.URL
	return sandbox, site.URL
}

// submit fills a sandbox hosted page as a holder does and returns where it
// sends them.
func submit(t *testing.T, page string, form url.Values) (int, string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(page, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

func TestAHostedPagePaymentIsRecordedOnceWhicheverConfirmsItFirst(t *testing.T) {
	t.Parallel()
	b := newBook(t)
	b.checkoutSite()
	first := b.finalize("2026-07-15", "24.00")
	ctx := context.Background()
	page, err := b.svc.StartHosted(ctx, payments.HostedRequest{AccountID: "A1", Mode: gateway.ModePayment, Currency: "USD",
		Amount: dec("10.00"), IdempotencyKey: "web_k1", ReturnURL: "https://portal.example/return?session=" + gateway.ReturnPlaceholder,
		CancelURL: "https://portal.example/cancel", AsOf: at("2026-07-16T00:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	again, err := b.svc.StartHosted(ctx, payments.HostedRequest{AccountID: "A1", Mode: gateway.ModePayment, Currency: "USD",
		Amount: dec("10.00"), IdempotencyKey: "web_k1", AsOf: at("2026-07-16T00:00:00Z")})
	if err != nil || again.RedirectURL != page.RedirectURL {
		t.Fatalf("the same key opened %+v, %v; want the first page %s", again, err, page.RedirectURL)
	}
	// A declined card leaves the page open, as a provider's page does.
	if code, _ := submit(t, page.RedirectURL, url.Values{"number": {"4000000000000341"}, "exp": {"12/30"}, "cvc": {"123"}}); code != http.StatusUnprocessableEntity {
		t.Fatalf("declined card: %d", code)
	}
	code, back := submit(t, page.RedirectURL, url.Values{"number": {"4242 4242 4242 4242"}, "exp": {"12/30"}, "cvc": {"123"}, "name": {"A. Holder"}})
	if code != http.StatusSeeOther || back != "https://portal.example/return?session="+page.CheckoutID {
		t.Fatalf("paid: %d to %q", code, back)
	}
	for range 2 { // the return, then the settling job
		out, err := b.svc.CompleteCheckout(ctx, page.CheckoutID, at("2026-07-16T00:00:00Z"))
		if err != nil || out.Status != gateway.CheckoutComplete || out.Payment.Status != "succeeded" || out.Payment.PaymentID != "PAY-1" {
			t.Fatalf("complete: %+v, %v", out, err)
		}
	}
	if n, err := b.svc.SettleUnknown(ctx, "", at("2026-07-16T00:00:00Z")); err != nil || n != 0 {
		t.Fatalf("settle: %d, %v", n, err)
	}
	if got := b.due(); got != first+"=14.00" {
		t.Fatalf("due: %s", got)
	}
	if got := b.collected(); got != "10.00" {
		t.Fatalf("collected %s", got)
	}
	var label string
	if err := b.db.Get(&label, `SELECT method_label FROM payments WHERE payment_id = 'PAY-1'`); err != nil || label != "visa ending 4242" {
		t.Fatalf("label %q, %v", label, err)
	}
}

func TestAHostedPageLeftTakesNothingAndAHostedCardIsPutOnFile(t *testing.T) {
	t.Parallel()
	b := newBook(t)
	b.checkoutSite()
	b.finalize("2026-07-15", "24.00")
	ctx := context.Background()
	asOf := at("2026-07-16T00:00:00Z")
	page, err := b.svc.StartHosted(ctx, payments.HostedRequest{AccountID: "A1", Mode: gateway.ModePayment, Currency: "USD", All: true,
		PayPal: true, ReturnURL: "https://portal.example/r", CancelURL: "https://portal.example/c?session=" + gateway.ReturnPlaceholder, AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	if code, back := submit(t, page.RedirectURL, url.Values{"action": {"cancel"}}); code != http.StatusSeeOther || back != "https://portal.example/c?session="+page.CheckoutID {
		t.Fatalf("cancel: %d to %q", code, back)
	}
	out, err := b.svc.CompleteCheckout(ctx, page.CheckoutID, asOf)
	if err != nil || out.Status != gateway.CheckoutExpired || out.Payment.Status != "declined" || out.Payment.DeclineCode != "checkout_expired" {
		t.Fatalf("left: %+v, %v", out, err)
	}

	card, err := b.svc.StartHosted(ctx, payments.HostedRequest{AccountID: "A1", Mode: gateway.ModeSetup, MakeDefault: true,
		ReturnURL: "https://portal.example/r", CancelURL: "https://portal.example/c", AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := submit(t, card.RedirectURL, url.Values{"number": {"4000000000009987"}, "exp": {"12/30"}, "cvc": {"123"}}); code != http.StatusUnprocessableEntity {
		t.Fatalf("a lost card was taken: %d", code)
	}
	if code, _ := submit(t, card.RedirectURL, url.Values{"number": {"5555555555554444"}, "exp": {"11/31"}, "cvc": {"321"}, "name": {"A. Holder"}}); code != http.StatusSeeOther {
		t.Fatalf("card: %d", code)
	}
	got, err := b.svc.CompleteCheckout(ctx, card.CheckoutID, asOf)
	if err != nil || got.MethodID == 0 {
		t.Fatalf("card: %+v, %v", got, err)
	}
	methods, err := b.svc.Methods(ctx, "A1")
	if err != nil || len(methods) != 1 {
		t.Fatalf("methods %v, %v", methods, err)
	}
	if m := methods[0]; m.Brand != "mastercard" || m.Last4 != "4444" || m.ExpMonth != 11 || m.ExpYear != 2031 || m.Status != "valid" || !m.IsDefault || m.HolderName != "A. Holder" {
		t.Fatalf("card on file: %+v", m)
	}
	b.collect("2026-07-16T01:00:00Z", payments.CollectReport{Charged: 1, Succeeded: 1})
	if got := b.collected(); got != "24.00" {
		t.Fatalf("collected %s", got)
	}
}

func TestCardDetailsGivenToBillingAreRefusedWithARealProvider(t *testing.T) {
	t.Parallel()
	b := newBook(t)
	s := b.stripeEvents()
	_, err := s.AddCard(context.Background(), "A1", gateway.Card{Number: "4242424242424242", ExpMonth: 12, ExpYear: 2030, CVC: "123"}, true, time.Now())
	if !errors.Is(err, payments.ErrInvalidRequest) || !errors.Is(err, gateway.ErrHostedOnly) {
		t.Fatalf("add card: %v", err)
	}
	_, err = s.Pay(context.Background(), payments.PayRequest{AccountID: "A1", Currency: "USD", Amount: dec("1.00"), PayPal: "buyer@example.com"})
	if !errors.Is(err, gateway.ErrHostedOnly) {
		t.Fatalf("pay by PayPal: %v", err)
	}
}

// billing verify finds a dispute whose money does not match its state (§12.9).
func TestVerifyFindsADisputeWhoseMoneyDoesNotMatchItsState(t *testing.T) {
	t.Parallel()
	b := newBook(t)
	b.paidByCard()
	b.send(b.stripeEvents(), disputeEvent("evt_1", "charge.dispute.created", "dp_1", "needs_response", 2400, b.reference()))
	breaches := func() []string {
		snap, err := store.OpenSnapshot(context.Background(), b.svc.DB)
		if err != nil {
			t.Fatal(err)
		}
		defer snap.Close()
		for _, c := range store.Checks {
			if c.Guarantee == "12.9" {
				found, err := snap.Breaches(context.Background(), c)
				if err != nil {
					t.Fatal(err)
				}
				return found
			}
		}
		t.Fatal("no check of §12.9")
		return nil
	}
	if got := breaches(); len(got) != 0 {
		t.Fatalf("breaches of a recorded dispute: %v", got)
	}
	exec(t, b.db, `UPDATE disputes SET status = 'won'`) // won, but nothing returned
	if got := strings.Join(breaches(), "; "); got != "dispute dp_1 (won) has 1 dispute entries and 0 reversals" {
		t.Fatalf("breaches: %q", got)
	}
}

// A bank that wants the holder present (authentication_required) is not
// retried; the holder is e-mailed a link to pay in the portal (§9.1).
func TestAuthenticationRequiredIsNotRetriedAndEmailsALinkToPay(t *testing.T) {
	t.Parallel()
	b := newBook(t)
	b.addCard("4242424242424242")
	number := b.finalize("2026-07-15", "24.00")
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusPaymentRequired)
		_, _ = w.Write([]byte(`{"error": {"type": "card_error", "code": "authentication_required", "decline_code": "authentication_required",
			"message": "This payment requires authentication", "payment_intent": {"id": "pi_auth", "object": "payment_intent", "status": "requires_action"}}}`))
	}))
	defer srv.Close()
	b.svc.Gateway, b.svc.Provider, b.svc.PortalURL = gateway.NewStripe("sk_test_x", srv.URL, nil), "stripe", "https://billing.example.com"
	b.collect("2026-07-15T01:00:00Z", payments.CollectReport{Charged: 1, HardDeclined: 1})
	b.collect("2026-07-25T01:00:00Z", payments.CollectReport{})
	if calls != 1 {
		t.Fatalf("%d charges, want 1", calls)
	}
	var body string
	if err := b.db.Get(&body, `SELECT subject || ': ' || body FROM outbox WHERE subject LIKE 'Please confirm%'`); err != nil {
		t.Fatal(err)
	}
	if want := "Please confirm your payment for invoice " + number + ": Your bank asks you to confirm the payment of 24.00 USD for invoice " + number +
		" to visa ending 4242 yourself, so it was not taken and will not be tried again automatically. Pay it in the portal: https://billing.example.com/accounts/A1/pay"; body != want {
		t.Fatalf("e-mail:\n%s\nwant:\n%s", body, want)
	}
}

// An amount the provider cannot take (Stripe: a three-decimal currency in
// other than tens of minor units) fails its attempt with the reason and
// charges nothing (§9.1).
func TestAnAmountTheProviderCannotTakeFailsItsAttempt(t *testing.T) {
	t.Parallel()
	b := newBook(t)
	b.svc.Gateway, b.svc.Provider = gateway.NewStripe("sk_test_x", stripemock.Start(t), nil), "stripe"
	_, err := b.svc.StartHosted(context.Background(), payments.HostedRequest{AccountID: "A1", Mode: gateway.ModePayment, Currency: "KWD",
		Amount: dec("1.234"), IdempotencyKey: "web_kwd", ReturnURL: "https://portal.example/r", CancelURL: "https://portal.example/c", AsOf: time.Now()})
	if !errors.Is(err, payments.ErrInvalidRequest) || !errors.Is(err, gateway.ErrAmountNotSupported) {
		t.Fatalf("start: %v", err)
	}
	a, found, err := b.svc.AttemptByKey(context.Background(), "web_kwd")
	if err != nil || !found || a.Status != "declined" || a.DeclineCode != "amount_not_supported" || a.PaymentID != "" {
		t.Fatalf("the attempt: %+v (found %t, %v)", a, found, err)
	}
	var pages int
	if err := b.db.Get(&pages, `SELECT count(*) FROM checkouts`); err != nil || pages != 0 {
		t.Fatalf("%d hosted pages (%v), want none", pages, err)
	}
}

func TestACardTheNetworksUpdateStaysOnFileWithItsNewDetails(t *testing.T) {
	t.Parallel()
	b := newBook(t)
	b.addCard("4242424242424242")
	var token string
	if err := b.db.Get(&token, `SELECT gateway_token FROM payment_methods`); err != nil {
		t.Fatal(err)
	}
	// Stripe as the card is validated again after its update: on file, not expired.
	stripe := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"id": %q, "object": "payment_method", "customer": "cus_1", "card": {"brand": "visa", "last4": "1881", "exp_month": 3, "exp_year": 2033}}`, token)
	}))
	defer stripe.Close()
	s := b.stripeEvents()
	g := gateway.NewStripe("sk_test_x", stripe.URL, nil)
	g.WebhookSecret = webhookSecret
	s.Gateway = g
	b.send(s, fmt.Sprintf(`{"id": "evt_card", "object": "event", "type": "payment_method.automatically_updated",
		"api_version": "2025-08-27.basil", "data": {"object": {"id": %q, "object": "payment_method", "type": "card",
		"card": {"brand": "visa", "last4": "1881", "exp_month": 3, "exp_year": 2033}}}}`, token))
	methods, err := b.svc.Methods(context.Background(), "A1")
	if err != nil || len(methods) != 1 {
		t.Fatalf("methods %v, %v", methods, err)
	}
	if m := methods[0]; m.Last4 != "1881" || m.ExpMonth != 3 || m.ExpYear != 2033 || m.Status != "valid" || !m.IsDefault || m.RemovedAt != nil {
		t.Fatalf("the updated card: %+v", m)
	}
	var events int
	if err := b.db.Get(&events, `SELECT count(*) FROM events WHERE type = 'payment_method.updated'`); err != nil || events != 3 {
		t.Fatalf("%d payment_method.updated events (%v), want 3: added, validated, updated", events, err)
	}
}
