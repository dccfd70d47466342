package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/openbilling/billing/locale"
	"github.com/openbilling/billing/pipeline"
	"github.com/openbilling/billing/store"
)

// runAccount is "billing account set-billing-day --account ID --day D"
// (§7), "billing account set-payment-terms --account ID --days N" (§13)
// and "billing account set-locale --account ID --locale en|ko".
func runAccount(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	account := fs.Lookup("account").Value.String()
	if len(args) == 1 && args[0] == "set-payment-terms" {
		return setPaymentTerms(ctx, a, account, fs.Lookup("days").Value.String())
	}
	if len(args) == 1 && args[0] == "set-locale" {
		return setLocale(ctx, a, account, fs.Lookup("locale").Value.String())
	}
	day, dayErr := strconv.Atoi(fs.Lookup("day").Value.String())
	if len(args) != 1 || args[0] != "set-billing-day" || account == "" || dayErr != nil {
		return usageError{fmt.Errorf("usage: billing account set-billing-day --account ID --day D | set-payment-terms --account ID --days N | set-locale --account ID --locale L")}
	}
	db, err := a.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	p := &pipeline.Pipeline{DB: db, Log: a.log}
	change, err := p.SetBillingDay(ctx, account, day)
	if errors.Is(err, store.ErrNoAccount) {
		return fmt.Errorf("no account %s", account)
	}
	if err != nil {
		return err
	}
	if change.Transition == nil {
		fmt.Fprintf(a.stdout, "account %s: billing day %d (was %d); no window had closed, so every anniversary window follows the new day\n",
			change.AccountID, change.To, change.From)
		return nil
	}
	t := change.Transition
	fmt.Fprintf(a.stdout, "account %s: billing day %d (was %d) from %s; transition window %s to %s, invoiced %s\n",
		change.AccountID, change.To, change.From, t.Start, t.Start, t.End, t.Closes)
	return nil
}

// setPaymentTerms sets an account's payment terms: the invoices it is
// issued from now on are due that many days after their issue date; those
// issued before keep their due dates (§13).
func setPaymentTerms(ctx context.Context, a *app, account, value string) error {
	days, err := strconv.Atoi(value)
	switch {
	case account == "" || value == "":
		return usageError{fmt.Errorf("usage: billing account set-payment-terms --account ID --days N")}
	case err != nil || days < 0 || days > 120:
		return usageError{fmt.Errorf("--days %q is not a whole number of days from 0 to 120", value)}
	}
	return updateAccount(ctx, a, account, func(db *store.DB) (bool, error) { return store.SetPaymentTerms(ctx, db, account, days) },
		fmt.Sprintf("account %s: payment terms %d days, for the invoices issued from now on", account, days))
}

// updateAccount makes one change to an account and says so, or says that
// there is no such account.
func updateAccount(ctx context.Context, a *app, account string, change func(*store.DB) (found bool, err error), done string) error {
	db, err := a.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	found, err := change(db)
	switch {
	case err != nil:
		return err
	case !found:
		return fmt.Errorf("no account %s", account)
	}
	fmt.Fprintln(a.stdout, done)
	return nil
}

// setLocale sets the language an account is written to: its e-mails from
// now on, the documents of the invoices finalized from now on (those
// finalized before keep theirs, §6), and its holder's pages.
func setLocale(ctx context.Context, a *app, account, value string) error {
	l, ok := locale.Parse(value)
	switch {
	case account == "" || value == "":
		return usageError{fmt.Errorf("usage: billing account set-locale --account ID --locale %s", strings.Join(locale.Supported, "|"))}
	case !ok:
		return usageError{fmt.Errorf("--locale %q is not one of %s", value, strings.Join(locale.Supported, ", "))}
	}
	return updateAccount(ctx, a, account, func(db *store.DB) (bool, error) { return store.SetLocale(ctx, db, account, l) },
		fmt.Sprintf("account %s: locale %s, for its e-mails and pages now and the invoices finalized from now on", account, l))
}
