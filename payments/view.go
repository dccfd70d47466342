package payments

import (
	"strings"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/money"
)

// View is a payment as the portal, the API and the events show it (§11,
// §14): its amount with the currency's decimals, and the invoices it paid.
type View struct {
	ID        string        `json:"payment_id"`
	PaidAt    string        `json:"paid_at"`
	Amount    string        `json:"amount"`
	Currency  string        `json:"currency"`
	Method    string        `json:"method"`
	Label     string        `json:"method_label"`
	Reference string        `json:"gateway_reference"`
	Paid      []PaidInvoice `json:"paid_invoices"`
	Refunded  string        `json:"refunded"` // paid back to the card or account it came from
	Disputed  string        `json:"disputed"` // taken back by disputes, less disputes won (§9.1)
	Disputes  []DisputeView `json:"disputes"`
}

// DisputeView is a dispute of a payment as shown.
type DisputeView struct {
	ID     string `json:"id"`
	Status string `json:"status"` // open, won or lost
	Amount string `json:"amount"`
}

// PaidInvoice is what a payment paid of one invoice.
type PaidInvoice struct {
	Number string `json:"number"`
	Amount string `json:"amount"`
}

// Views are the payments as shown.
func Views(list []Record) []View {
	out := make([]View, 0, len(list))
	for _, p := range list {
		out = append(out, ViewOf(p))
	}
	return out
}

// ViewOf is one payment as shown.
func ViewOf(p Record) View {
	c := money.Currency(p.Currency)
	v := View{ID: p.PaymentID, PaidAt: p.PaidAt.UTC().Format("2006-01-02 15:04 UTC"), Amount: money.Format(p.Amount, c),
		Currency: p.Currency, Method: p.Method, Label: p.MethodLabel, Reference: p.GatewayReference, Paid: []PaidInvoice{},
		Refunded: money.Format(p.Refunded, c), Disputed: money.Format(p.Disputed, c), Disputes: []DisputeView{}}
	for _, part := range strings.Split(p.PaidInvoices, ", ") {
		if number, amount, ok := strings.Cut(part, " "); ok {
			v.Paid = append(v.Paid, PaidInvoice{number, formatted(amount, c)})
		}
	}
	for _, part := range strings.Split(p.Disputes, ", ") {
		if f := strings.Fields(part); len(f) == 3 {
			v.Disputes = append(v.Disputes, DisputeView{ID: f[0], Status: f[1], Amount: formatted(f[2], c)})
		}
	}
	return v
}

// formatted is an amount read from text with the currency's decimals.
func formatted(amount string, c money.Currency) string {
	if d, err := decimal.NewFromString(amount); err == nil {
		return money.Format(d, c)
	}
	return amount
}
