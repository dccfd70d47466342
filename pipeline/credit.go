package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/invoices"
	"github.com/openbilling/billing/invoicing"
	"github.com/openbilling/billing/ledger"
	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/payments"
	"github.com/openbilling/billing/rating"
	"github.com/openbilling/billing/store"
)

// An operator's credits and refunds (§9): finalized invoices of type
// credit or refund, with a reason and both files, in the ledger like any
// invoice.

// CreditRequest grants a credit to an account's balance in one currency.
type CreditRequest struct {
	AccountID string
	Currency  money.Currency
	Amount    decimal.Decimal // positive
	Reason    string
	AsOf      time.Time
}

// RefundRequest reverses charges of an earlier invoice: all of it, some of
// its lines (numbered from 1 in invoice order), or an amount.
type RefundRequest struct {
	Invoice string
	All     bool
	Lines   []int
	Amount  decimal.Decimal // when neither All nor Lines
	Reason  string
	AsOf    time.Time
}

// Issued is an operator's invoice as issued, with what was paid back to cards.
type Issued struct {
	Number   string
	Total    decimal.Decimal
	Currency money.Currency
	PaidBack []store.Attempt // a refund's paybacks, with the gateway's answers
	Files    int
}

// ErrRefundTooLarge is a refund above what is left to refund of an invoice.
var ErrRefundTooLarge = errors.New("refund exceeds what is left to refund")

func checkReason(reason string) error {
	switch n := utf8.RuneCountInString(strings.TrimSpace(reason)); {
	case n == 0:
		return errors.New("a reason is required")
	case n > 500:
		return fmt.Errorf("the reason is %d characters long; at most 500", n)
	}
	return nil
}

// Credit issues a credit invoice (negative total, no tax) to an account; its
// credit pays the account's open invoices in the currency, oldest first.
func (p *Pipeline) Credit(ctx context.Context, req CreditRequest) (*Issued, error) {
	if err := checkReason(req.Reason); err != nil {
		return nil, err
	}
	if _, err := money.ParseCurrency(string(req.Currency)); err != nil {
		return nil, fmt.Errorf("currency %q: %w", req.Currency, err)
	}
	if err := ledger.CheckAmount(req.Amount, req.Currency); err != nil {
		return nil, err
	}
	return p.operatorInvoice(ctx, "credit", strings.TrimSpace(req.Reason), req.AsOf, func(tx *store.Tx, issued calendar.Date) (invoicing.Invoice, string, error) {
		a, err := loadAccount(ctx, tx, req.AccountID)
		if err != nil {
			return invoicing.Invoice{}, "", err
		}
		day := issued.AddDays(-1)
		line := rating.Line{CustomerID: a.ID, SKU: "credit", ChargeType: rating.ChargeTypeCredit,
			ChargeStart: issued, ChargeEnd: issued, ActivityDate: issued, UnitPrice: req.Amount, EffectiveUnitPrice: req.Amount.Neg(),
			Quantity: decimal.NewFromInt(1), Amount: req.Amount.Neg(), Detail: strings.TrimSpace(req.Reason)}
		inv := invoicing.Invoice{
			Key:    invoicing.Key{AccountID: a.ID, Billing: calendar.BillingAnniversary, WindowStart: day, Currency: req.Currency},
			Window: calendar.Window{Period: calendar.Period{Start: day, End: day}, Closes: issued}, Type: invoicing.TypeCredit,
			IssueDate: issued, Lines: []invoicing.Line{{Line: line, Total: line.Amount}},
			Subtotal: line.Amount, Total: line.Amount,
		}
		return inv, "", nil
	}, nil)
}

// Refund issues a refund invoice that reverses charges of an earlier one,
// never more than it charged less earlier refunds. What card payments paid
// of the original is paid back to those cards, up to what they paid; the
// rest is a credit of the account.
func (p *Pipeline) Refund(ctx context.Context, req RefundRequest) (*Issued, error) {
	if err := checkReason(req.Reason); err != nil {
		return nil, err
	}
	reason := strings.TrimSpace(req.Reason)
	var refund payments.Refund
	return p.operatorInvoice(ctx, "refund", reason, req.AsOf, func(tx *store.Tx, issued calendar.Date) (invoicing.Invoice, string, error) {
		orig, found, err := store.GetInvoice(ctx, tx, req.Invoice)
		switch {
		case err != nil:
			return invoicing.Invoice{}, "", err
		case !found:
			return invoicing.Invoice{}, "", fmt.Errorf("%w: %s", invoices.ErrNoInvoice, req.Invoice)
		case !orig.Total.IsPositive() || orig.Type == string(invoicing.TypeRefund) || orig.Type == string(invoicing.TypeCredit):
			return invoicing.Invoice{}, "", fmt.Errorf("invoice %s is a %s of %s %s: only an invoice that charged can be refunded", orig.Number, orig.Type, money.Format(orig.Total, orig.Currency), orig.Currency)
		}
		done, err := store.RefundedOf(ctx, tx, orig.Number)
		if err != nil {
			return invoicing.Invoice{}, "", err
		}
		lines, err := refundLines(ctx, tx, orig, done, req, issued, reason)
		if err != nil {
			return invoicing.Invoice{}, "", err
		}
		inv := invoicing.Invoice{
			Key:    invoicing.Key{AccountID: orig.AccountID, Billing: calendar.Billing(orig.Billing), WindowStart: orig.WindowStart, Currency: orig.Currency},
			Window: calendar.Window{Period: calendar.Period{Start: orig.WindowStart, End: orig.WindowEnd}, Closes: issued}, Type: invoicing.TypeRefund,
			IssueDate: issued, TaxRate: orig.TaxRate, Lines: lines,
		}
		for _, l := range lines {
			inv.Subtotal, inv.Tax, inv.Total = inv.Subtotal.Add(l.Amount), inv.Tax.Add(l.Tax), inv.Total.Add(l.Total)
		}
		if left := orig.Total.Sub(done.Amount); inv.Total.Neg().GreaterThan(left) {
			return invoicing.Invoice{}, "", fmt.Errorf("%w: invoice %s charged %s %s and %s was refunded before, so at most %s can be refunded; this refund is %s",
				ErrRefundTooLarge, orig.Number, money.Format(orig.Total, orig.Currency), orig.Currency, money.Format(done.Amount, orig.Currency),
				money.Format(left, orig.Currency), money.Format(inv.Total.Neg(), orig.Currency))
		}
		refund = payments.Refund{Original: orig.Number, AccountID: orig.AccountID, Currency: orig.Currency, Amount: inv.Total.Neg()}
		return inv, orig.Number, nil
	}, func(tx *store.Tx, number string) ([]store.Attempt, error) {
		refund.Number = number
		return payments.ReservePaybacks(ctx, tx, refund, req.AsOf)
	})
}

// refundLines are the lines of a refund: the original's lines it reverses
// (all of them not refunded yet, credits included, so that a whole refund
// is the invoice's total; or the charge lines named), or one line of an
// amount.
func refundLines(ctx context.Context, tx *store.Tx, orig invoicing.Issued, done store.Refunded, req RefundRequest, issued calendar.Date, reason string) ([]invoicing.Line, error) {
	c := orig.Currency
	if !req.All && len(req.Lines) == 0 {
		if err := ledger.CheckAmount(req.Amount, c); err != nil {
			return nil, err
		}
		l := rating.Line{CustomerID: orig.AccountID, SKU: "refund", ChargeType: rating.ChargeTypeRefund,
			ChargeStart: issued, ChargeEnd: issued, ActivityDate: issued, UnitPrice: req.Amount, EffectiveUnitPrice: req.Amount.Neg(),
			Quantity: decimal.NewFromInt(1), Amount: req.Amount.Neg(), Detail: "refund: " + reason}
		return []invoicing.Line{{Line: l, Total: l.Amount}}, nil
	}
	stored, err := store.InvoiceLines(ctx, tx, orig.Number)
	if err != nil {
		return nil, err
	}
	var out []invoicing.Line
	for i, s := range stored {
		n := i + 1
		chosen := req.All || slices.Contains(req.Lines, n)
		switch {
		case !chosen:
			continue
		case slices.Contains(done.Lines, int64(n)):
			if req.All {
				continue
			}
			return nil, fmt.Errorf("line %d of invoice %s was refunded before", n, orig.Number)
		case !req.All && !s.Amount.IsPositive():
			return nil, fmt.Errorf("line %d of invoice %s charges %s: only a charge can be refunded", n, orig.Number, money.Format(s.Amount, c))
		}
		l := s.Line.Line
		l.ChargeType, l.EffectiveUnitPrice, l.Amount, l.Reversal = rating.ChargeTypeRefund, l.EffectiveUnitPrice.Neg(), l.Amount.Neg(), false
		l.Detail = fmt.Sprintf("refund of line %d: %s", n, reason)
		out = append(out, invoicing.Line{Line: l, Tax: s.Tax.Neg(), Total: s.Total.Neg()})
	}
	for _, n := range req.Lines {
		if n < 1 || n > len(stored) {
			return nil, fmt.Errorf("invoice %s has no line %d (it has %d)", orig.Number, n, len(stored))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("nothing left to refund of invoice %s", orig.Number)
	}
	return out, nil
}

// operatorInvoice issues one operator invoice in a run of its own: build
// makes it in the transaction (returning the invoice it adjusts, if any),
// reserve (optional) records what must be paid back before credit is
// applied, and after the commit the paybacks are sent and the files written.
func (p *Pipeline) operatorInvoice(ctx context.Context, stage, reason string, asOf time.Time,
	build func(tx *store.Tx, issued calendar.Date) (invoicing.Invoice, string, error),
	reserve func(tx *store.Tx, number string) ([]store.Attempt, error)) (*Issued, error) {
	run, err := p.startRun(ctx, asOf, stage, "")
	if err != nil {
		return nil, err
	}
	defer run.release()
	rep := &Report{RunID: run.id, AsOf: asOf.UTC(), Stage: stage}
	out, err := p.issueOperatorInvoice(ctx, run, reason, asOf, build, reserve)
	if out != nil {
		rep.Invoices, rep.Files = 1, out.Files
		rep.addTotal(out.Currency, out.Total)
	}
	rep.finish()
	if finishErr := p.finishRun(ctx, run, rep, err); finishErr != nil && err == nil {
		err = finishErr
	}
	return out, err
}

func (p *Pipeline) issueOperatorInvoice(ctx context.Context, run *runState, reason string, asOf time.Time,
	build func(tx *store.Tx, issued calendar.Date) (invoicing.Invoice, string, error),
	reserve func(tx *store.Tx, number string) ([]store.Attempt, error)) (*Issued, error) {
	var (
		inv      invoicing.Invoice
		adjusts  string
		out      *Issued
		paybacks []store.Attempt
	)
	err := p.DB.InTx(ctx, func(tx *store.Tx) error {
		// Numbers follow issue dates: an operator's invoice takes its number
		// between closes, never during one.
		if err := store.LockCloseInTx(ctx, tx); err != nil {
			return err
		}
		issued := calendar.DateOf(asOf)
		var err error
		inv, adjusts, err = build(tx, issued)
		if err != nil {
			return err
		}
		numbers, err := p.numberAndStore(ctx, tx, []invoicing.Invoice{inv}, []string{adjusts}, reason, run.id)
		if err != nil {
			return err
		}
		out = &Issued{Number: numbers[0], Total: inv.Total, Currency: inv.Currency}
		if reserve != nil {
			if paybacks, err = reserve(tx, out.Number); err != nil {
				return err
			}
		}
		return applyCredits(ctx, tx, []invoicing.Invoice{inv})
	})
	if err != nil {
		return nil, err
	}
	p.Log.Info("operator_invoice_issued", "number", out.Number, "type", string(inv.Type), "account_id", inv.AccountID,
		"currency", string(inv.Currency), "total", inv.Total.String(), "adjusts", adjusts)
	if len(paybacks) > 0 && p.Payments != nil {
		if out.PaidBack, err = p.Payments.SendPaybacks(ctx, paybacks, asOf); err != nil {
			return out, fmt.Errorf("issued %s; paying back to the card: %w (the next run asks again)", out.Number, err)
		}
	}
	if p.Emitter != nil {
		if out.Files, err = p.Emitter.Emit(ctx, p.DB); err != nil {
			return out, fmt.Errorf("issued %s; writing its files: %w", out.Number, err)
		}
	}
	return out, nil
}
