package payments

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/locale"
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
	var messages []Letter
	kinds := map[string]*int{}
	for _, r := range soon {
		messages = append(messages, dueSoonMessage(r))
		kinds[messages[len(messages)-1].MessageID()] = &rep.DueSoon
	}
	for _, r := range overdue {
		messages = append(messages, overdueMessage(r, d))
		kinds[messages[len(messages)-1].MessageID()] = &rep.Overdue
	}
	for _, r := range cards {
		messages = append(messages, expiringMessage(r))
		kinds[messages[len(messages)-1].MessageID()] = &rep.CardExpiring
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
func (s *Service) Notify(ctx context.Context, tx *store.Tx, messages ...Letter) error {
	return s.outbox(ctx, tx, messages...)
}

func dueSoonMessage(r store.Reminder) Letter {
	return letter(r.AccountID, "invoice_due_soon-"+r.Subject, "mail.due_soon.subject", "mail.due_soon.body",
		"Invoice", r.Subject, "Due", r.DueDate, "Amount", locale.Money{Amount: r.AmountDue, Currency: r.Currency})
}

func overdueMessage(r store.Reminder, d calendar.Date) Letter {
	body := "mail.overdue.body"
	if r.LateFeePolicy {
		body = "mail.overdue.body_fee"
	}
	return letter(r.AccountID, "invoice_overdue-"+r.Subject, "mail.overdue.subject", body,
		"Invoice", r.Subject, "Due", r.DueDate, "Amount", locale.Money{Amount: r.AmountDue, Currency: r.Currency}, "AsOf", d)
}

func expiringMessage(r store.Reminder) Letter {
	return letter(r.AccountID, "card_expiring-"+r.Subject, "mail.card_expiring.subject", "mail.card_expiring.body",
		"Brand", r.Brand, "Last4", r.Last4, "Expiry", fmt.Sprintf("%02d/%d", r.ExpMonth, r.ExpYear))
}

// LateFeeMessage is the late_fee_assessed e-mail of a fee on an overdue invoice.
func LateFeeMessage(accountID, overdue, feeInvoice string, fee decimal.Decimal, c money.Currency, due calendar.Date) Letter {
	return letter(accountID, "late_fee_assessed-"+overdue, "mail.late_fee.subject", "mail.late_fee.body",
		"Invoice", overdue, "Due", due, "Fee", locale.Money{Amount: fee, Currency: c}, "FeeInvoice", feeInvoice)
}
