package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"

	"github.com/openbilling/billing/pipeline"
	"github.com/openbilling/billing/store"
)

// runAccount is "billing account set-billing-day --account ID --day D" (§7).
func runAccount(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	account := fs.Lookup("account").Value.String()
	day, dayErr := strconv.Atoi(fs.Lookup("day").Value.String())
	if len(args) != 1 || args[0] != "set-billing-day" || account == "" || dayErr != nil {
		return usageError{fmt.Errorf("usage: billing account set-billing-day --account ID --day D")}
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
