package pipeline

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/invoicing"
	"github.com/openbilling/billing/ledger"
	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/payments"
	"github.com/openbilling/billing/rating"
	"github.com/openbilling/billing/store"
)

// DunningReport is what a run's dunning stage did (§13).
type DunningReport struct {
	Assessed  int                       `json:"assessed"`  // overdue invoices given their late fee, for good
	LateFees  int                       `json:"late_fees"` // of which with a fee above zero: its invoice
	Collect   payments.CollectReport    `json:"collect"`   // the fees charged to cards on file
	Reminders payments.RemindReport     `json:"reminders"` // the reminders written to the outbox
	Fees      map[money.Currency]string `json:"fees,omitempty"`
}

// dunning is the dunning stage (§13), after collect: every overdue invoice
// whose day has come is assessed once, the fees are issued as invoices of
// their own (numbered, credited, written, charged like any), and the
// reminders due are e-mailed.
func (p *Pipeline) dunning(ctx context.Context, run *runState, rep *Report) error {
	d := calendar.DateOf(rep.AsOf)
	out := &DunningReport{}
	rep.Dunning = out
	var issued []invoicing.Invoice
	var numbers, adjusts []string
	err := p.DB.InTx(ctx, func(tx *store.Tx) error {
		// Numbers follow issue dates, and one assessment of an invoice is
		// all it ever gets: the stage takes the close's lock, so that two
		// runs assess in turn, the second finding the first's work done.
		if err := store.LockCloseInTx(ctx, tx); err != nil {
			return err
		}
		// Each invoice found overdue is recorded once: its invoice.overdue
		// event (§14).
		if _, err := store.MarkOverdue(ctx, tx, d); err != nil {
			return fmt.Errorf("recording overdue invoices: %w", err)
		}
		stored, err := store.LateFeePolicies(ctx, tx)
		if err != nil || len(stored) == 0 {
			return err
		}
		policies := lateFeePolicies(stored)
		overdue, err := store.LateFeeCandidates(ctx, tx, d)
		if err != nil {
			return fmt.Errorf("reading overdue invoices: %w", err)
		}
		var assessed []store.Assessment  // every assessment, a fee of zero included
		var onFee []store.OverdueInvoice // the overdue invoice of each fee's invoice
		for _, o := range overdue {
			due := o.DueDate
			fee, ok := ledger.Assess(ledger.LateFeeCandidate{Type: o.Type, Currency: o.Currency, Due: &due, AmountDue: o.AmountDue}, policies, d)
			if !ok {
				continue
			}
			assessed = append(assessed, store.Assessment{Invoice: o.Number, AmountDue: o.AmountDue, Fee: fee})
			if fee.IsPositive() {
				issued, onFee = append(issued, lateFeeInvoice(o, fee, d)), append(onFee, o)
			}
		}
		adjusts = make([]string, len(issued))
		for i, o := range onFee {
			adjusts[i] = o.Number
		}
		if numbers, err = p.storeInvoices(ctx, tx, issued, adjusts, run.id); err != nil {
			return fmt.Errorf("issuing late fees: %w", err)
		}
		feeInvoice := make(map[string]string, len(numbers)) // by overdue invoice
		mail := make([]payments.Letter, len(numbers))
		for i, o := range onFee {
			feeInvoice[o.Number] = numbers[i]
			mail[i] = payments.LateFeeMessage(o.AccountID, o.Number, numbers[i], issued[i].Total, o.Currency, o.DueDate)
		}
		for i := range assessed {
			assessed[i].FeeInvoice = feeInvoice[assessed[i].Invoice]
		}
		if err := store.InsertLateFees(ctx, tx, assessed, d, run.id); err != nil {
			return fmt.Errorf("recording late fees: %w", err)
		}
		out.Assessed, out.LateFees = len(assessed), len(issued)
		return p.Payments.Notify(ctx, tx, mail...)
	})
	if err != nil {
		return err
	}
	fees := map[money.Currency]decimal.Decimal{}
	for i, inv := range issued {
		rep.Invoices++
		rep.Lines += len(inv.Lines)
		rep.addTotal(inv.Currency, inv.Total)
		fees[inv.Currency] = fees[inv.Currency].Add(inv.Total)
		p.Log.Info("late_fee_assessed", "number", numbers[i], "adjusts", adjusts[i], "account_id", inv.AccountID,
			"currency", string(inv.Currency), "fee", inv.Total.String())
	}
	if len(fees) > 0 {
		out.Fees = map[money.Currency]string{}
		for c, v := range fees {
			out.Fees[c] = money.Format(v, c)
		}
	}
	if len(numbers) > 0 && p.Emitter != nil {
		n, err := p.Emitter.Emit(ctx, p.DB)
		rep.Files += n
		if err != nil {
			return fmt.Errorf("writing the late fees' files: %w", err)
		}
	}
	// The fees are collected like any invoice (§13).
	if out.Collect, err = p.Payments.CollectNow(ctx, rep.AsOf, numbers); err != nil {
		return fmt.Errorf("charging late fees: %w", err)
	}
	if out.Reminders, err = p.Payments.Remind(ctx, rep.AsOf, p.DueReminderDays); err != nil {
		return err
	}
	return nil
}

// lateFeePolicies are the stored policies as the rules take them.
func lateFeePolicies(stored []store.LateFeePolicy) []ledger.LateFeePolicy {
	policies := make([]ledger.LateFeePolicy, len(stored))
	for i, s := range stored {
		policies[i] = ledger.LateFeePolicy{Currency: s.Currency, AfterDays: s.AfterDays, Fixed: s.Fixed, Rate: s.Rate,
			Minimum: s.Minimum, Maximum: s.Maximum}
		if s.EffectiveFrom != nil {
			policies[i].EffectiveFrom = *s.EffectiveFrom
		}
	}
	return policies
}

// lateFeeInvoice is the invoice of a late fee on an overdue invoice (§13):
// a onetime invoice of the overdue one's account, billing, window and
// currency, issued on d, with one untaxed line of charge type lateFee.
func lateFeeInvoice(o store.OverdueInvoice, fee decimal.Decimal, d calendar.Date) invoicing.Invoice {
	line := rating.Line{ChargeType: rating.ChargeTypeLateFee, ChargeStart: d, ChargeEnd: d, ActivityDate: d,
		UnitPrice: fee, EffectiveUnitPrice: fee, Quantity: decimal.NewFromInt(1), Amount: fee,
		Detail: fmt.Sprintf("late fee on %s, due %s, with %s %s due", o.Number, o.DueDate, money.Format(o.AmountDue, o.Currency), o.Currency)}
	return invoicing.Invoice{
		Key:    invoicing.Key{AccountID: o.AccountID, Billing: calendar.Billing(o.Billing), WindowStart: o.WindowStart, Currency: o.Currency},
		Window: calendar.Window{Period: calendar.Period{Start: o.WindowStart, End: o.WindowEnd}, Closes: d}, Type: invoicing.TypeOnetime,
		IssueDate: d, Lines: []invoicing.Line{{Line: line, Total: fee}}, Subtotal: fee, Total: fee,
	}
}
