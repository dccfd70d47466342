package payments

import (
	"context"

	"github.com/openbilling/billing/locale"
	"github.com/openbilling/billing/store"
)

// Letter is an e-mail to an account's contact before it is written: its
// subject and body are ids of the catalogs, written in the account's
// language when the e-mail goes into the outbox. The operators' e-mails
// (NotifyOperators) are in English.
type Letter struct {
	AccountID string
	ID        string // the Message-ID's unique part: one e-mail per cause
	Subject   string // catalog id
	Body      string // catalog id
	Args      []any  // the placeholders of both: names and values, in pairs
}

// letter is an e-mail to an account's contact with a stable Message-ID.
func letter(accountID, id, subject, body string, args ...any) Letter {
	return Letter{AccountID: accountID, ID: id, Subject: subject, Body: body, Args: args}
}

// MessageID is the e-mail's stable Message-ID.
func (l Letter) MessageID() string { return "<" + l.ID + "@billing>" }

// in writes the letter in p's language.
func (l Letter) in(p *locale.Printer) store.Message {
	return store.Message{ID: l.MessageID(), AccountID: l.AccountID, Subject: p.T(l.Subject, l.Args...), Body: p.T(l.Body, l.Args...)}
}

// inTheirLanguages writes each letter in its account's language.
func inTheirLanguages(ctx context.Context, tx *store.Tx, letters []Letter) ([]store.Message, error) {
	seen := map[string]bool{}
	ids := make([]string, 0, len(letters))
	for _, l := range letters {
		if !seen[l.AccountID] {
			seen[l.AccountID] = true
			ids = append(ids, l.AccountID)
		}
	}
	locales, err := store.AccountLocales(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]store.Message, len(letters))
	for i, l := range letters {
		out[i] = l.in(locale.For(locales[l.AccountID]))
	}
	return out, nil
}
