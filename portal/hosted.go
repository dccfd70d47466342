package portal

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/openbilling/billing/payments"
	"github.com/openbilling/billing/payments/gateway"
)

// The provider's hosted pages (§9.1): the portal's card and pay pages hold
// no card field; "add a card" and "pay by card or PayPal" send the holder
// to the provider's page, which sends them back here, where the card or
// payment is recorded (or by the provider's event, whichever comes first).

// returnURLs are where a hosted page of an account sends the holder back.
func (s *Server) returnURLs(account, flow string) (done, cancel string) {
	base := strings.TrimSuffix(s.PublicURL, "/") + "/accounts/" + pathEscape(account) + "/" + flow
	return base + "/return?session=" + gateway.ReturnPlaceholder, base + "/cancel?session=" + gateway.ReturnPlaceholder
}

// addMethod sends the holder to the provider's page to save a card.
func (s *Server) addMethod(w http.ResponseWriter, r *http.Request, v *viewer) {
	account := r.PathValue("account")
	done, cancel := s.returnURLs(account, "payment-methods")
	page, err := s.Payments.StartHosted(r.Context(), payments.HostedRequest{AccountID: account, Mode: gateway.ModeSetup,
		MakeDefault: r.PostFormValue("default") == "on", ReturnURL: done, CancelURL: cancel, AsOf: s.now()})
	if err != nil {
		s.audit(r, v, "card_page_opened", "", "refused")
		s.renderMethods(w, r, v, http.StatusBadGateway, "The provider's page could not be opened: "+err.Error()+". Nothing was changed; try again.")
		return
	}
	s.audit(r, v, "card_page_opened", page.CheckoutID, "ok")
	http.Redirect(w, r, page.RedirectURL, http.StatusSeeOther)
}

// checkoutOf reads the page named by a return and checks it is the
// account's; ok is false when it answered already.
func (s *Server) checkoutOf(w http.ResponseWriter, r *http.Request, v *viewer, account string) (string, bool) {
	id := r.URL.Query().Get("session")
	owner, err := s.Payments.CheckoutAccount(r.Context(), id)
	if errors.Is(err, payments.ErrNoCheckout) || (err == nil && owner != account) {
		s.notFound(w, r, v)
		return "", false
	}
	if err != nil {
		s.internal(w, r, v, err)
		return "", false
	}
	return id, true
}

// methodReturn records the card a page saved and shows the cards.
func (s *Server) methodReturn(w http.ResponseWriter, r *http.Request, v *viewer) {
	s.hostedReturn(w, r, v, "payment-methods", false)
}

// methodCancel closes a page the holder left.
func (s *Server) methodCancel(w http.ResponseWriter, r *http.Request, v *viewer) {
	s.hostedReturn(w, r, v, "payment-methods", true)
}

// payReturn records the payment a page made and shows it.
func (s *Server) payReturn(w http.ResponseWriter, r *http.Request, v *viewer) {
	s.hostedReturn(w, r, v, "pay", false)
}

// payCancel closes a payment page the holder left.
func (s *Server) payCancel(w http.ResponseWriter, r *http.Request, v *viewer) {
	s.hostedReturn(w, r, v, "pay", true)
}

// hostedReturn ends the holder's visit to a hosted page: it records what
// the page did (or, cancelled, closes it) and sends the holder on.
func (s *Server) hostedReturn(w http.ResponseWriter, r *http.Request, v *viewer, flow string, cancelled bool) {
	account := r.PathValue("account")
	id, ok := s.checkoutOf(w, r, v, account)
	if !ok {
		return
	}
	record := s.Payments.CompleteCheckout
	if cancelled {
		record = s.Payments.CancelCheckout
	}
	out, err := record(r.Context(), id, s.now())
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	base := "/accounts/" + pathEscape(account)
	switch {
	case out.Mode == gateway.ModeSetup && out.MethodID != 0:
		s.audit(r, v, "card_added", fmt.Sprintf("card %d from hosted page %s", out.MethodID, id), "ok")
		http.Redirect(w, r, base+"/payment-methods?done=added", http.StatusSeeOther)
	case out.Mode == gateway.ModeSetup:
		http.Redirect(w, r, base+"/payment-methods?done=page-"+out.Status, http.StatusSeeOther)
	case out.Status == gateway.CheckoutExpired:
		s.audit(r, v, "payment", fmt.Sprintf("%s left on the provider's page", out.Payment.Key), out.Payment.Status)
		http.Redirect(w, r, base+"/pay?done=page-expired", http.StatusSeeOther)
	default:
		p := out.Payment
		s.audit(r, v, "payment", fmt.Sprintf("%s %s %s by %s", p.Key, p.Amount, p.Currency, p.Method), p.Status)
		http.Redirect(w, r, base+"/payments/"+pathEscape(p.Key), http.StatusSeeOther)
	}
}

// payHosted sends the holder to the provider's page to pay once.
func (s *Server) payHosted(w http.ResponseWriter, r *http.Request, v *viewer, req payments.PayRequest, paypal bool) {
	account := r.PathValue("account")
	done, cancel := s.returnURLs(account, "pay")
	page, err := s.Payments.StartHosted(r.Context(), payments.HostedRequest{AccountID: account, Mode: gateway.ModePayment,
		Currency: req.Currency, Amount: req.Amount, All: req.All, PayPal: paypal, IdempotencyKey: req.IdempotencyKey,
		ReturnURL: done, CancelURL: cancel, AsOf: s.now()})
	switch {
	case err == nil:
		s.audit(r, v, "payment_page_opened", page.Key+" "+page.CheckoutID, "ok")
		http.Redirect(w, r, page.RedirectURL, http.StatusSeeOther)
	case refused(err):
		s.renderPay(w, r, v, http.StatusUnprocessableEntity, "Nothing was paid: "+err.Error()+".", payments.NewKey("web_"))
	default:
		s.internal(w, r, v, err)
	}
}

// hostedAnswer is the API's answer of a hosted page: where to send the holder.
type hostedAnswer struct {
	RedirectURL string `json:"redirect_url"`
	CheckoutID  string `json:"checkout_id"`
	Key         string `json:"idempotency_key"`
}

// apiHosted opens a hosted page for the API and answers its address.
func (s *Server) apiHosted(w http.ResponseWriter, r *http.Request, v *viewer, req payments.HostedRequest, clientKey string) {
	flow := "pay"
	if req.Mode == gateway.ModeSetup {
		flow = "payment-methods"
	}
	req.ReturnURL, req.CancelURL = s.returnURLs(req.AccountID, flow)
	page, err := s.Payments.StartHosted(r.Context(), req)
	if s.apiPayFailed(w, r, v, err) {
		return
	}
	s.audit(r, v, req.Mode+"_page_opened", page.CheckoutID, "ok")
	writeJSON(w, http.StatusCreated, hostedAnswer{RedirectURL: page.RedirectURL, CheckoutID: page.CheckoutID, Key: clientKey})
}

// apiPayFailed answers a payment's or a hosted page's error, if any: 422
// with a stable code for what the request asks, 500 for the system's.
func (s *Server) apiPayFailed(w http.ResponseWriter, r *http.Request, v *viewer, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, gateway.ErrKeyReused):
		s.fail(w, r, v, http.StatusUnprocessableEntity, "idempotency_key_reused", "this Idempotency-Key was used with other parameters")
	case errors.Is(err, payments.ErrNothingDue):
		s.fail(w, r, v, http.StatusUnprocessableEntity, "nothing_due", err.Error())
	case errors.Is(err, payments.ErrInvalidRequest):
		s.fail(w, r, v, http.StatusUnprocessableEntity, "invalid_request", err.Error())
	default:
		s.internal(w, r, v, err)
	}
	return true
}

// refused says whether a payment was refused for what the form asks (the
// holder's to correct), not for the system's failure.
func refused(err error) bool {
	return errors.Is(err, payments.ErrInvalidRequest) || errors.Is(err, payments.ErrNothingDue) || errors.Is(err, gateway.ErrKeyReused)
}

// providerEvents is POST /webhooks/stripe (§9.1): no session or token, only
// the provider's signature. The event is kept and queued before the answer,
// so a 2xx means it cannot be lost; a repeat is answered 200 and changes
// nothing.
func (s *Server) providerEvents(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "could not read the body", http.StatusBadRequest)
		return
	}
	id, kept, err := s.Payments.ReceiveEvent(r.Context(), body, r.Header.Get("Stripe-Signature"), s.now())
	switch {
	case errors.Is(err, payments.ErrInvalidRequest):
		s.Log.Warn("provider_event_refused", "error", err.Error(), "from", s.remoteAddr(r))
		writeJSON(w, http.StatusBadRequest, errorBody("bad_signature", err.Error()))
	case err != nil:
		s.Log.Error("provider_event_failed", "event", id, "error", err.Error())
		writeJSON(w, http.StatusInternalServerError, errorBody("internal", "the event was not kept; send it again"))
	default:
		s.Log.Info("provider_event_received", "event", id, "new", kept)
		writeJSON(w, http.StatusOK, map[string]any{"received": true, "duplicate": !kept})
	}
}
