package payments

import (
	"context"
	"fmt"
	"time"

	"github.com/openbilling/billing/locale"
	"github.com/openbilling/billing/payments/gateway"
	"github.com/openbilling/billing/store"
)

// AddCard puts a card on file for an account (§9): its details go to
// the gateway, which returns a token; the token, brand, last four digits,
// expiry and holder's name are stored, never the number or the code. The
// account's first card is its default, as is any card added with
// makeDefault. The card is validated at once.
func (s *Service) AddCard(ctx context.Context, accountID string, card gateway.Card, makeDefault bool, asOf time.Time) (Method, error) {
	if _, err := s.contact(ctx, accountID); err != nil {
		return store.PaymentMethod{}, err
	}
	if err := s.directDetails(); err != nil {
		return store.PaymentMethod{}, err
	}
	if err := card.Check(); err != nil {
		return store.PaymentMethod{}, err
	}
	tok, err := s.Gateway.Tokenize(ctx, card)
	if err != nil {
		return store.PaymentMethod{}, fmt.Errorf("tokenizing the %s: %w", card, err)
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		m := store.PaymentMethod{AccountID: accountID, Token: tok.Token, Brand: tok.Brand, Last4: tok.Last4,
			ExpMonth: tok.ExpMonth, ExpYear: tok.ExpYear, HolderName: card.Name}
		if id, err = store.InsertPaymentMethod(ctx, tx, m); err != nil {
			return err
		}
		if makeDefault {
			return store.SetDefaultPaymentMethod(ctx, tx, accountID, id)
		}
		return nil
	})
	if err != nil {
		return store.PaymentMethod{}, fmt.Errorf("storing the %s: %w", card, err)
	}
	if _, err := s.Validate(ctx, accountID, asOf); err != nil {
		return store.PaymentMethod{}, err
	}
	return s.method(ctx, accountID, id)
}

func (s *Service) method(ctx context.Context, accountID string, id int64) (Method, error) {
	methods, err := store.PaymentMethods(ctx, s.DB, accountID)
	if err != nil {
		return store.PaymentMethod{}, err
	}
	for _, m := range methods {
		if m.ID == id {
			return m, nil
		}
	}
	return store.PaymentMethod{}, invalid(fmt.Errorf("account %s has no card %d on file", accountID, id))
}

// Methods lists the cards on file of an account, or of all (accountID empty).
func (s *Service) Methods(ctx context.Context, accountID string) ([]Method, error) {
	if accountID != "" {
		if _, err := s.contact(ctx, accountID); err != nil {
			return nil, err
		}
	}
	return store.PaymentMethods(ctx, s.DB, accountID)
}

// RemoveCard removes a card from an account's file.
func (s *Service) RemoveCard(ctx context.Context, accountID string, id int64) error {
	found, err := store.RemovePaymentMethod(ctx, s.DB, accountID, id)
	switch {
	case err != nil:
		return fmt.Errorf("removing card %d: %w", id, err)
	case !found:
		return fmt.Errorf("account %s has no card %d on file", accountID, id)
	}
	return nil
}

// SetDefault makes a card on file its account's default.
func (s *Service) SetDefault(ctx context.Context, accountID string, id int64) error {
	if _, err := s.method(ctx, accountID, id); err != nil {
		return err
	}
	return store.SetDefaultPaymentMethod(ctx, s.DB, accountID, id)
}

// StatusChange is a card whose status the validation changed.
type StatusChange struct {
	store.PaymentMethod
	From string
}

// Validate asks the gateway about the cards on file of an account, or of
// all (accountID empty): a card whose expiry month has passed on asOf is
// expired, one the gateway refuses invalid, the others valid. Each change
// e-mails the account's contact (§9). The daemon runs it nightly.
func (s *Service) Validate(ctx context.Context, accountID string, asOf time.Time) ([]StatusChange, error) {
	methods, err := store.PaymentMethods(ctx, s.DB, accountID)
	if err != nil {
		return nil, fmt.Errorf("reading cards on file: %w", err)
	}
	var changes []StatusChange
	for _, m := range methods {
		status, reason := "valid", ""
		if gateway.Expired(m.ExpMonth, m.ExpYear, asOf) {
			status, reason = "expired", fmt.Sprintf("expired at the end of %02d/%d", m.ExpMonth, m.ExpYear)
		} else {
			v, err := s.Gateway.Validate(ctx, m.Token)
			if err != nil {
				return changes, fmt.Errorf("validating card %d of account %s: %w", m.ID, m.AccountID, err)
			}
			if !v.Valid {
				status, reason = "invalid", v.Reason
			}
		}
		if status == m.Status {
			continue
		}
		from := m.Status
		err := s.DB.InTx(ctx, func(tx *store.Tx) error {
			changed, err := store.SetPaymentMethodStatus(ctx, tx, m.ID, status, reason)
			if err != nil || !changed {
				return err
			}
			return s.outbox(ctx, tx, letter(m.AccountID, fmt.Sprintf("card-%d-%s-%d", m.ID, status, asOf.Unix()),
				"mail.card_status.subject", "mail.card_status.body", "Brand", m.Brand, "Last4", m.Last4, "Account", m.AccountID,
				"From", locale.Code{Prefix: "card.", Value: m.Status}, "To", locale.Code{Prefix: "card.", Value: status}, "Because", Because(reason)))
		})
		if err != nil {
			return changes, fmt.Errorf("recording the status of card %d: %w", m.ID, err)
		}
		m.Status, m.StatusReason = status, reason
		changes = append(changes, StatusChange{PaymentMethod: m, From: from})
	}
	return changes, nil
}

// Because is " (reason)" for a message, or nothing when there is no reason.
func Because(reason string) string {
	if reason == "" {
		return ""
	}
	return " (" + reason + ")"
}
