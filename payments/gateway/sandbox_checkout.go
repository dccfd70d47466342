package gateway

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/store"
)

// The sandbox's hosted pages (§9.1): the page a holder enters a card or a
// PayPal address on, served by billing serve under /sandbox/checkout/{id}
// apart from the portal's pages, and behaving by §9's card table. The card
// goes from the page to the sandbox's tokenizer and no further, as it would
// go to a real processor's page.

// CheckoutLifetime is how long a hosted page stays open, as Stripe
// Checkout's sessions do by default: a page left expires, and its payment
// is closed as not made.
const CheckoutLifetime = 24 * time.Hour

// Customer is the sandbox's customer of an account.
func (s *Sandbox) Customer(_ context.Context, c CustomerRequest) (string, error) {
	return "cus_sbx_" + c.AccountID, nil
}

// checkoutRequest is a hosted page's parameters as one text.
func checkoutRequest(req CheckoutRequest) string {
	return fmt.Sprintf("checkout mode=%s customer=%s amount=%s %s paypal=%t return=%s cancel=%s",
		req.Mode, req.Customer, req.Amount, req.Currency, req.PayPal, req.ReturnURL, req.CancelURL)
}

// StartCheckout opens a hosted page of the sandbox.
func (s *Sandbox) StartCheckout(ctx context.Context, req CheckoutRequest) (Checkout, error) {
	if req.Key == "" {
		return Checkout{}, errors.New("sandbox gateway: a hosted page needs an idempotency key")
	}
	c := store.SandboxCheckout{ID: newReference("cs_sbx_"), Key: req.Key, Request: checkoutRequest(req), Mode: req.Mode,
		Customer: req.Customer, PayPal: req.PayPal, ReturnURL: req.ReturnURL, CancelURL: req.CancelURL}
	if req.Mode == ModePayment {
		c.Amount, c.Currency = req.Amount, string(req.Currency)
	}
	inserted, err := store.InsertSandboxCheckout(ctx, s.DB, c)
	if err != nil {
		return Checkout{}, fmt.Errorf("sandbox gateway: %w", err)
	}
	if !inserted {
		earlier, _, err := store.SandboxCheckoutByID(ctx, s.DB, "", req.Key)
		switch {
		case err != nil:
			return Checkout{}, fmt.Errorf("sandbox gateway: %w", err)
		case earlier.Request != c.Request:
			return Checkout{}, ErrKeyReused
		}
		c = earlier
	}
	return Checkout{ID: c.ID, URL: strings.TrimSuffix(s.PublicURL, "/") + "/sandbox/checkout/" + c.ID}, nil
}

// CheckoutOutcome tells what became of a hosted page.
func (s *Sandbox) CheckoutOutcome(ctx context.Context, id string) (CheckoutOutcome, error) {
	c, found, err := store.SandboxCheckoutByID(ctx, s.DB, id, "")
	switch {
	case err != nil:
		return CheckoutOutcome{}, fmt.Errorf("sandbox gateway: %w", err)
	case !found || id == "":
		return CheckoutOutcome{}, ErrNotFound
	}
	if c.Status == CheckoutOpen && s.now().Sub(c.CreatedAt) > CheckoutLifetime {
		if err := s.ExpireCheckout(ctx, id); err != nil {
			return CheckoutOutcome{}, err
		}
		c.Status = CheckoutExpired
	}
	out := CheckoutOutcome{ID: c.ID, Status: c.Status, Mode: c.Mode, Key: c.Key}
	if c.Status != CheckoutComplete {
		return out, nil
	}
	if c.Mode == ModeSetup {
		out.Card = Token{Token: c.Token, Brand: c.Brand, Last4: c.Last4, ExpMonth: c.ExpMonth, ExpYear: c.ExpYear}
		out.HolderName = c.Holder
		return out, nil
	}
	if out.Result, err = s.Lookup(ctx, c.ChargeKey); err != nil {
		return CheckoutOutcome{}, err
	}
	out.Result.Label = c.Label
	return out, nil
}

// ExpireCheckout closes a page left open.
func (s *Sandbox) ExpireCheckout(ctx context.Context, id string) error {
	if err := store.ExpireSandboxCheckout(ctx, s.DB, id); err != nil {
		return fmt.Errorf("sandbox gateway: %w", err)
	}
	return nil
}

//go:embed sandbox_checkout.html
var pageFiles embed.FS

var checkoutPage = template.Must(template.ParseFS(pageFiles, "sandbox_checkout.html"))

// CheckoutHandler serves the sandbox's hosted pages: GET shows the page,
// POST takes the card or PayPal address, or the holder leaving.
func (s *Sandbox) CheckoutHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /sandbox/checkout/{id}", func(w http.ResponseWriter, r *http.Request) {
		s.showCheckout(w, r, http.StatusOK, "")
	})
	mux.HandleFunc("POST /sandbox/checkout/{id}", s.submitCheckout)
	return mux
}

func (s *Sandbox) showCheckout(w http.ResponseWriter, r *http.Request, status int, problem string) {
	c, found, err := store.SandboxCheckoutByID(r.Context(), s.DB, r.PathValue("id"), "")
	switch {
	case err != nil:
		http.Error(w, "The sandbox's page is not available right now.", http.StatusInternalServerError)
		return
	case !found || r.PathValue("id") == "":
		http.Error(w, "No such checkout page.", http.StatusNotFound)
		return
	}
	title := "Save a card"
	if c.Mode == ModePayment {
		title = "Pay " + money.Format(c.Amount, money.Currency(c.Currency)) + " " + c.Currency
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = checkoutPage.Execute(w, map[string]any{"Title": title, "C": c, "Error": problem})
}

// submitCheckout is a try on a page: a card saved, a payment made, or the
// holder leaving. A card refused or a payment declined leaves the page
// open with the reason, as a processor's page does.
func (s *Sandbox) submitCheckout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("id")
	c, found, err := store.SandboxCheckoutByID(ctx, s.DB, id, "")
	if err != nil || !found || id == "" {
		s.showCheckout(w, r, http.StatusNotFound, "")
		return
	}
	back := func(url string) {
		http.Redirect(w, r, strings.ReplaceAll(url, ReturnPlaceholder, c.ID), http.StatusSeeOther)
	}
	if c.Status == CheckoutOpen && s.now().Sub(c.CreatedAt) > CheckoutLifetime {
		if err := s.ExpireCheckout(ctx, id); err != nil {
			s.showCheckout(w, r, http.StatusInternalServerError, "The page could not be closed; try again.")
			return
		}
		c.Status = CheckoutExpired
	}
	switch {
	case c.Status == CheckoutComplete:
		back(c.ReturnURL)
		return
	case c.Status == CheckoutExpired:
		back(c.CancelURL)
		return
	case r.PostFormValue("action") == "cancel":
		if err := s.ExpireCheckout(ctx, id); err != nil {
			s.showCheckout(w, r, http.StatusInternalServerError, "The page could not be closed; try again.")
			return
		}
		back(c.CancelURL)
		return
	}
	done, problem, err := s.tryCheckout(ctx, c, r)
	switch {
	case err != nil:
		s.showCheckout(w, r, http.StatusInternalServerError, "The sandbox could not take this; try again.")
	case problem != "":
		s.showCheckout(w, r, http.StatusUnprocessableEntity, problem)
	case done:
		back(c.ReturnURL)
	default:
		back(c.CancelURL) // the page closed meanwhile
	}
}

// tryCheckout takes one try of a page: problem is what the holder is told
// when it did not go through.
func (s *Sandbox) tryCheckout(ctx context.Context, c store.SandboxCheckout, r *http.Request) (done bool, problem string, err error) {
	if c.PayPal {
		payer := strings.TrimSpace(r.PostFormValue("paypal"))
		if payer == "" {
			return false, "Enter your PayPal e-mail address.", nil
		}
		c.Label = "PayPal " + payer
		return s.chargeCheckout(ctx, c, Charge{PayPal: payer})
	}
	card, problem := formCard(r)
	if problem != "" {
		return false, problem, nil
	}
	tok, err := s.Tokenize(ctx, card)
	if err != nil {
		return false, "", err
	}
	if c.Mode == ModePayment {
		c.Label = fmt.Sprintf("%s ending %s", tok.Brand, tok.Last4)
		return s.chargeCheckout(ctx, c, Charge{Token: tok.Token})
	}
	v, err := s.Validate(ctx, tok.Token)
	if err != nil {
		return false, "", err
	}
	if !v.Valid {
		return false, "The card was declined (" + v.Reason + "). Try another card.", nil
	}
	c.Token, c.Brand, c.Last4, c.ExpMonth, c.ExpYear, c.Holder = tok.Token, tok.Brand, tok.Last4, tok.ExpMonth, tok.ExpYear, card.Name
	done, err = store.CompleteSandboxCheckout(ctx, s.DB, c)
	return done, "", err
}

// chargeCheckout charges one try of a payment page under its own key.
func (s *Sandbox) chargeCheckout(ctx context.Context, c store.SandboxCheckout, charge Charge) (done bool, problem string, err error) {
	tries, open, err := store.TrySandboxCheckout(ctx, s.DB, c.ID)
	if err != nil || !open {
		return false, "", err
	}
	charge.Key = fmt.Sprintf("%s-try-%d", c.Key, tries)
	charge.Amount, charge.Currency = c.Amount, money.Currency(c.Currency)
	res, err := s.Charge(ctx, charge)
	if err != nil {
		return false, "", err
	}
	if res.Outcome == Declined {
		return false, "The payment was declined (" + res.DeclineCode + "). Try another way to pay.", nil
	}
	c.ChargeKey = charge.Key
	done, err = store.CompleteSandboxCheckout(ctx, s.DB, c)
	return done, "", err
}

// formCard reads the page's card fields; problem says what is wrong with them.
func formCard(r *http.Request) (Card, string) {
	month, year, err := ParseExpiry(strings.TrimSpace(r.PostFormValue("exp")))
	if err != nil {
		return Card{}, "Enter the expiry as MM/YY."
	}
	card := Card{Number: strings.TrimSpace(r.PostFormValue("number")), ExpMonth: month, ExpYear: year,
		CVC: strings.TrimSpace(r.PostFormValue("cvc")), Name: strings.TrimSpace(r.PostFormValue("name"))}
	if err := card.Check(); err != nil {
		return Card{}, "The card was not taken: " + err.Error() + "."
	}
	return card, ""
}
