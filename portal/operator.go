package portal

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/pipeline"
)

// Operators grant credits and refund charges from the portal (§11:
// an operator is finance plus credits and refunds), as billing credit and
// billing refund do: each is an invoice of its own with its files, in the
// ledger, and in the audit log.

// credit grants a credit to the account in the path.
func (s *Server) credit(w http.ResponseWriter, r *http.Request, v *viewer) {
	if !v.operator() {
		s.notFound(w, r, v)
		return
	}
	account := r.PathValue("account")
	issued, err := func() (*pipeline.Issued, error) {
		currency, err := money.ParseCurrency(r.PostFormValue("currency"))
		if err != nil {
			return nil, fmt.Errorf("currency: %w", err)
		}
		amount, err := money.ParseDecimal(strings.TrimSpace(r.PostFormValue("amount")), false)
		if err != nil {
			return nil, fmt.Errorf("amount: %w", err)
		}
		return s.Pipeline.Credit(r.Context(), pipeline.CreditRequest{AccountID: account, Currency: currency, Amount: amount,
			Reason: strings.TrimSpace(r.PostFormValue("reason")), AsOf: s.now()})
	}()
	s.operatorDone(w, r, v, "credit", account, issued, err)
}

// refund reverses charges of the invoice in the path: all that is left, or
// an amount.
func (s *Server) refund(w http.ResponseWriter, r *http.Request, v *viewer) {
	if !v.operator() {
		s.notFound(w, r, v)
		return
	}
	inv, ok := s.invoiceOf(w, r, v)
	if !ok {
		return
	}
	req := pipeline.RefundRequest{Invoice: inv.Number, All: r.PostFormValue("what") == "all",
		Reason: strings.TrimSpace(r.PostFormValue("reason")), AsOf: s.now()}
	var err error
	if !req.All {
		if req.Amount, err = money.ParseDecimal(strings.TrimSpace(r.PostFormValue("amount")), false); err != nil {
			err = fmt.Errorf("amount: %w", err)
		}
	}
	var issued *pipeline.Issued
	if err == nil {
		issued, err = s.Pipeline.Refund(r.Context(), req)
	}
	s.operatorDone(w, r, v, "refund of "+inv.Number, inv.AccountID, issued, err)
}

// operatorDone records a credit or refund in the audit log and shows the
// invoice it issued, or the reason it was refused.
func (s *Server) operatorDone(w http.ResponseWriter, r *http.Request, v *viewer, what, account string, issued *pipeline.Issued, err error) {
	action := strings.Fields(what)[0]
	if issued == nil {
		s.audit(r, v, action, what, "refused")
		s.fail(w, r, v, http.StatusUnprocessableEntity, "refused", fmt.Sprintf("No %s was issued: %v.", action, err))
		return
	}
	s.audit(r, v, action, fmt.Sprintf("%s %s %s: %s", what, money.Format(issued.Total.Neg(), issued.Currency), issued.Currency, issued.Number), "ok")
	if err != nil { // issued, but a payback or file failed: the invoice stands
		s.Log.Error("portal_operator_invoice_incomplete", "number", issued.Number, "error", err.Error())
	}
	http.Redirect(w, r, "/accounts/"+pathEscape(account)+"/invoices/"+pathEscape(issued.Number), http.StatusSeeOther)
}
