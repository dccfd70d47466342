package portal

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/access"
	"github.com/openbilling/billing/invoices"
	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/payments"
	"github.com/openbilling/billing/payments/gateway"
)

// OpenAPI is the API's OpenAPI 3.1 document, served at /api/v1/openapi.json
// to anyone (it holds no data): every answer of the API's tests is
// checked against it (internal/testkit/apicontract).
//
//go:embed openapi.json
var OpenAPI []byte

// apiRoutes adds the JSON API of §11 under /api/v1. It takes bearer
// tokens only, never the session cookie, so a browser cannot be made to
// call it from another site.
func (s *Server) apiRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(OpenAPI)
	})
	mux.HandleFunc("GET /api/v1/invoices", s.api(s.apiInvoices))
	mux.HandleFunc("GET /api/v1/invoices/{number}", s.api(s.apiInvoice))
	mux.HandleFunc("GET /api/v1/invoices/{number}/files/{kind}", s.api(s.apiFile))
	mux.HandleFunc("GET /api/v1/summary", s.api(s.apiSummary))
	mux.HandleFunc("GET /api/v1/payments", s.api(s.apiPayments))
	mux.HandleFunc("POST /api/v1/payments", s.api(s.apiPay))
	mux.HandleFunc("GET /api/v1/payment-methods", s.api(s.apiMethods))
	mux.HandleFunc("POST /api/v1/payment-methods", s.api(s.apiAddMethod))
	mux.HandleFunc("DELETE /api/v1/payment-methods/{id}", s.api(s.apiRemoveMethod))
	mux.HandleFunc("GET /api/v1/events", s.api(s.apiEvents))
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, nil, http.StatusNotFound, "not_found", "no such API route")
	})
}

// api authenticates an API call by its bearer token.
func (s *Server) api(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := s.fromBearer(r)
		if err != nil {
			s.internal(w, r, nil, err)
			return
		}
		if v == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="billing"`)
			s.fail(w, r, nil, http.StatusUnauthorized, "unauthorized", "send a valid access token: Authorization: Bearer TOKEN")
			return
		}
		h(w, r, v)
	}
}

// apiAccount is the account an API call is about: an account holder's own,
// or the ?account= that finance names. ok is false when the answer has
// been written.
func (s *Server) apiAccount(w http.ResponseWriter, r *http.Request, v *viewer) (string, bool) {
	account := r.URL.Query().Get("account")
	switch {
	case !v.staff() && account != "" && account != v.AccountID:
		s.notFound(w, r, v)
		return "", false
	case !v.staff():
		account = v.AccountID
	case account == "":
		s.fail(w, r, v, http.StatusBadRequest, "account_required", "name the account: ?account=ID")
		return "", false
	default:
		if found, err := access.AccountExists(r.Context(), s.DB, account); err != nil {
			s.internal(w, r, v, err)
			return "", false
		} else if !found {
			s.notFound(w, r, v)
			return "", false
		}
	}
	r.SetPathValue("account", account) // for invoiceOf and the audit log
	return account, true
}

func (s *Server) apiInvoices(w http.ResponseWriter, r *http.Request, v *viewer) {
	account, ok := s.apiAccount(w, r, v)
	if !ok {
		return
	}
	f, sf, err := readInvoiceFilter(r.URL.Query())
	if err != nil {
		s.fail(w, r, v, http.StatusBadRequest, "bad_filter", err.Error())
		return
	}
	sf.AccountID = account
	list, matching, err := invoices.InvoicePage(r.Context(), s.DB, sf)
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"invoices": list, "matching": matching, "page": f.Page, "per_page": invoicesPerPage})
}

// apiInvoiceOf reads the invoice in the path if the viewer may see it.
func (s *Server) apiInvoiceOf(w http.ResponseWriter, r *http.Request, v *viewer) (*invoices.Invoice, bool) {
	inv, err := invoices.GetInvoiceHeader(r.Context(), s.DB, r.PathValue("number"))
	if errors.Is(err, invoices.ErrNoInvoice) || err == nil && !v.sees(inv.AccountID) {
		s.notFound(w, r, v)
		return nil, false
	}
	if err != nil {
		s.internal(w, r, v, err)
		return nil, false
	}
	r.SetPathValue("account", inv.AccountID)
	return inv, true
}

func (s *Server) apiInvoice(w http.ResponseWriter, r *http.Request, v *viewer) {
	if _, ok := s.apiInvoiceOf(w, r, v); !ok {
		return
	}
	inv, err := invoices.GetInvoice(r.Context(), s.DB, r.PathValue("number"))
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	writeJSON(w, http.StatusOK, inv)
}

func (s *Server) apiFile(w http.ResponseWriter, r *http.Request, v *viewer) {
	if _, ok := s.apiInvoiceOf(w, r, v); !ok {
		return
	}
	s.fileDownload(w, r, v)
}

func (s *Server) apiSummary(w http.ResponseWriter, r *http.Request, v *viewer) {
	account, ok := s.apiAccount(w, r, v)
	if !ok {
		return
	}
	summary, err := s.summary(r, account)
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	writeJSON(w, http.StatusOK, summary)
}

func (s *Server) apiPayments(w http.ResponseWriter, r *http.Request, v *viewer) {
	account, ok := s.apiAccount(w, r, v)
	if !ok {
		return
	}
	list, err := s.Payments.History(r.Context(), account)
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	writeJSON(w, http.StatusOK, payments.Views(list))
}

// apiCard is a card in a request body.
type apiCard struct {
	Number   string `json:"number"`
	ExpMonth int    `json:"exp_month"`
	ExpYear  int    `json:"exp_year"`
	CVC      string `json:"cvc"`
	Name     string `json:"name"`
}

func (c *apiCard) card() *gateway.Card {
	if c == nil {
		return nil
	}
	return &gateway.Card{Number: c.Number, ExpMonth: c.ExpMonth, ExpYear: c.ExpYear, CVC: c.CVC, Name: c.Name}
}

// decodeBody reads a JSON body of at most 64 KiB with no unknown fields.
func decodeBody(r *http.Request, into any) error {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		return err
	}
	if bytes.Contains(raw, []byte(`\u0000`)) || !utf8.Valid(raw) {
		return errors.New("the body holds invalid UTF-8 or a NUL character")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return fmt.Errorf("the body is not the JSON expected: %v", err)
	}
	return nil
}

// paymentResult is what became of a payment, with the client's key and
// the amount with its currency's decimals (§5).
type paymentResult struct {
	payments.Result
	Key    string `json:"idempotency_key"`
	Amount string `json:"amount"`
}

// idempotencyKey reads the client's Idempotency-Key, a fresh one when it
// gives none; ok is false when it was refused (answered).
func (s *Server) idempotencyKey(w http.ResponseWriter, r *http.Request, v *viewer) (string, bool) {
	key := r.Header.Get("Idempotency-Key")
	if len(key) > 200 || strings.ContainsFunc(key, func(c rune) bool { return c < '!' || c > '~' }) {
		s.fail(w, r, v, http.StatusBadRequest, "bad_idempotency_key", "Idempotency-Key is up to 200 printable ASCII characters")
		return "", false
	}
	if key == "" {
		key = payments.NewKey("")
	}
	return key, true
}

// apiPay is POST /api/v1/payments (§11): the same Idempotency-Key
// replays the first answer; with other parameters it is refused with 422.
func (s *Server) apiPay(w http.ResponseWriter, r *http.Request, v *viewer) {
	account, ok := s.apiAccount(w, r, v)
	if !ok {
		return
	}
	var body struct {
		Currency string   `json:"currency"`
		Amount   string   `json:"amount"`
		All      bool     `json:"all"`
		Card     *apiCard `json:"card"`
		PayPal   string   `json:"paypal"`
		MethodID int64    `json:"payment_method_id"`
		Hosted   string   `json:"hosted"` // card or paypal: on the provider's page (§9.1)
	}
	if err := decodeBody(r, &body); err != nil {
		s.fail(w, r, v, http.StatusBadRequest, "bad_body", err.Error())
		return
	}
	key, ok := s.idempotencyKey(w, r, v)
	if !ok {
		return
	}
	req := payments.PayRequest{AccountID: account, Currency: money.Currency(body.Currency), All: body.All, Card: body.Card.card(),
		PayPal: body.PayPal, MethodID: body.MethodID, AsOf: s.now(),
		IdempotencyKey: "api_" + account + "_" + key} // one account's keys never meet another's
	if body.All == (body.Amount != "") {
		s.fail(w, r, v, http.StatusUnprocessableEntity, "invalid_request", `give "amount" or "all": true, one of the two`)
		return
	}
	if !body.All {
		d, err := decimal.NewFromString(body.Amount)
		if err != nil {
			s.fail(w, r, v, http.StatusUnprocessableEntity, "invalid_request", fmt.Sprintf("amount %q is not a decimal amount", body.Amount))
			return
		}
		req.Amount = d
	}
	if req.MethodID != 0 && !s.ownsMethod(r, account, req.MethodID) {
		s.notFound(w, r, v)
		return
	}
	if body.Card == nil && body.PayPal == "" && body.MethodID == 0 {
		if body.Hosted != "" && body.Hosted != "card" && body.Hosted != "paypal" {
			s.fail(w, r, v, http.StatusUnprocessableEntity, "invalid_request", `"hosted" is "card" or "paypal"`)
			return
		}
		s.apiHosted(w, r, v, payments.HostedRequest{AccountID: account, Mode: gateway.ModePayment, Currency: req.Currency,
			Amount: req.Amount, All: req.All, PayPal: body.Hosted == "paypal", IdempotencyKey: req.IdempotencyKey, AsOf: req.AsOf}, key)
		return
	}
	res, err := s.Payments.Pay(r.Context(), req)
	if res.Key != "" {
		s.audit(r, v, "payment", fmt.Sprintf("%s %s %s by %s", res.Key, res.Amount, res.Currency, res.Method), res.Status)
	}
	if s.apiPayFailed(w, r, v, err) {
		return
	}
	status := http.StatusCreated
	if res.Replayed {
		status = http.StatusOK
	}
	writeJSON(w, status, paymentResult{Result: res, Key: key, Amount: money.Format(res.Amount, money.Currency(res.Currency))})
}

func (s *Server) apiMethods(w http.ResponseWriter, r *http.Request, v *viewer) {
	account, ok := s.apiAccount(w, r, v)
	if !ok {
		return
	}
	list, err := s.Payments.Methods(r.Context(), account)
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	if list == nil {
		list = []payments.Method{}
	}
	writeJSON(w, http.StatusOK, list)
}

func (s *Server) apiAddMethod(w http.ResponseWriter, r *http.Request, v *viewer) {
	account, ok := s.apiAccount(w, r, v)
	if !ok {
		return
	}
	var body struct {
		Card    *apiCard `json:"card"`
		Default bool     `json:"default"`
	}
	if err := decodeBody(r, &body); err != nil {
		s.fail(w, r, v, http.StatusBadRequest, "bad_body", err.Error())
		return
	}
	if body.Card == nil {
		key, ok := s.idempotencyKey(w, r, v)
		if !ok {
			return
		}
		s.apiHosted(w, r, v, payments.HostedRequest{AccountID: account, Mode: gateway.ModeSetup, MakeDefault: body.Default,
			IdempotencyKey: "api_card_" + account + "_" + key, AsOf: s.now()}, key)
		return
	}
	m, err := s.Payments.AddCard(r.Context(), account, *body.Card.card(), body.Default, s.now())
	if err != nil {
		s.audit(r, v, "card_added", "", "refused")
		s.fail(w, r, v, http.StatusUnprocessableEntity, "card_refused", err.Error())
		return
	}
	s.audit(r, v, "card_added", fmt.Sprintf("%s ending %s (id %d, %s)", m.Brand, m.Last4, m.ID, m.Status), "ok")
	writeJSON(w, http.StatusCreated, m)
}

func (s *Server) apiRemoveMethod(w http.ResponseWriter, r *http.Request, v *viewer) {
	account, ok := s.apiAccount(w, r, v)
	if !ok {
		return
	}
	id := methodID(r)
	if id == 0 || !s.ownsMethod(r, account, id) {
		s.notFound(w, r, v)
		return
	}
	if err := s.Payments.RemoveCard(r.Context(), account, id); err != nil {
		s.internal(w, r, v, err)
		return
	}
	s.audit(r, v, "card_removed", strconv.FormatInt(id, 10), "ok")
	w.WriteHeader(http.StatusNoContent)
}
