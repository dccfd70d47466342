package payments

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/store"
)

// The reminders of §13, e-mailed at most once each: the outbox keeps every
// e-mail under a Message-ID named after its kind and subject (an invoice's
// number, a card's id), and refuses the same one twice.

// RemindReport counts the reminders a run wrote to the outbox.
type RemindReport struct {
	DueSoon      int `json:"invoice_due_soon"`
	Overdue      int `json:"invoice_overdue"`
	CardExpiring int `json:"card_expiring"`
}

// Remind writes the reminders due as of asOf: invoice_due_soon for
// invoices due within dueSoonDays (none when below zero) on accounts whose
// card on file is not charged for them, invoice_overdue for invoices that
// became overdue, card_expiring for cards whose expiry month ends within
// 30 days.
func (s *Service) Remind(ctx context.Context, asOf time.Time, dueSoonDays int) (RemindReport, error) {
	d := calendar.DateOf(asOf)
	var rep RemindReport
	var soon []store.Reminder
	var err error
	if dueSoonDays >= 0 {
		if soon, err = store.DueSoon(ctx, s.DB, d, dueSoonDays); err != nil {
			return rep, fmt.Errorf("reading invoices due soon: %w", err)
		}
	}
	overdue, err := store.NewlyOverdue(ctx, s.DB, d)
	if err != nil {
		return rep, fmt.Errorf("reading overdue invoices: %w", err)
	}
	cards, err := store.CardsExpiring(ctx, s.DB, d)
	if err != nil {
		return rep, fmt.Errorf("reading expiring cards: %w", err)
	}
	var messages []store.Message
	kinds := map[string]*int{}
	for _, r := range soon {
		messages = append(messages, dueSoonMessage(r))
		kinds[messages[len(messages)-1].ID] = &rep.DueSoon
	}
	for _, r := range overdue {
		messages = append(messages, overdueMessage(r, d))
		kinds[messages[len(messages)-1].ID] = &rep.Overdue
	}
	for _, r := range cards {
		messages = append(messages, expiringMessage(r))
		kinds[messages[len(messages)-1].ID] = &rep.CardExpiring
	}
	if len(messages) == 0 {
		return rep, nil
	}
	var written []string
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		written, err = s.write(ctx, tx, messages)
		return err
	})
	if err != nil {
		return rep, fmt.Errorf("writing reminders: %w", err)
	}
	for _, id := range written {
		*kinds[id]++
	}
	return rep, nil
}

// Notify writes e-mails to accounts' contacts in tx and queues their
// sending: the way other services' e-mails reach the outbox.
func (s *Service) Notify(ctx context.Context, tx *store.Tx, messages ...store.Message) error {
	return s.outbox(ctx, tx, messages...)
}

func amountOf(d decimal.Decimal, c money.Currency) string {
	return money.Format(d, c) + " " + string(c)
}

func dueSoonMessage(r store.Reminder) store.Message {
	return message(r.AccountID, "invoice_due_soon-"+r.Subject, fmt.Sprintf("Invoice %s is due on %s", r.Subject, r.DueDate),
		fmt.Sprintf("Invoice %s is due on %s, with %s to pay. You can pay it in the billing portal.",
			r.Subject, r.DueDate, amountOf(r.AmountDue, r.Currency)))
}

func overdueMessage(r store.Reminder, d calendar.Date) store.Message {
	fee := ""
	if r.LateFeePolicy {
		fee = "; a late fee may be charged"
	}
	return message(r.AccountID, "invoice_overdue-"+r.Subject, fmt.Sprintf("Invoice %s is overdue", r.Subject),
		fmt.Sprintf("Invoice %s was due on %s and %s of it is still to pay (as of %s). Please pay it in the billing portal%s.",
			r.Subject, r.DueDate, amountOf(r.AmountDue, r.Currency), d, fee))
}

func expiringMessage(r store.Reminder) store.Message {
	return message(r.AccountID, "card_expiring-"+r.Subject, fmt.Sprintf("Your %s card ending %s expires at the end of %02d/%d", r.Brand, r.Last4, r.ExpMonth, r.ExpYear),
		fmt.Sprintf("The %s card ending %s on file for your account expires at the end of %02d/%d. Add a new card in the billing portal so that your invoices are paid on time.",
			r.Brand, r.Last4, r.ExpMonth, r.ExpYear))
}

// LateFeeMessage is the late_fee_assessed e-mail of a fee on an overdue invoice.
func LateFeeMessage(accountID, overdue, feeInvoice string, fee decimal.Decimal, c money.Currency, due calendar.Date) store.Message {
	return message(accountID, "late_fee_assessed-"+overdue, fmt.Sprintf("A late fee of %s on invoice %s", amountOf(fee, c), overdue),
		fmt.Sprintf("Invoice %s was due on %s and is still unpaid, so a late fee of %s has been charged on invoice %s. Paying both in the billing portal settles your account.",
			overdue, due, amountOf(fee, c), feeInvoice))
}
