package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/pipeline"
	"github.com/openbilling/billing/store"
)

func runSummary(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	account := fs.Lookup("account").Value.String()
	if len(args) != 0 || account == "" {
		return usageError{fmt.Errorf("usage: billing summary --account ID [--as-of T] [--json]")}
	}
	asOf, err := parseAsOf(fs.Lookup("as-of").Value.String())
	if err != nil {
		return err
	}
	db, err := a.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	s, err := pipeline.AccountSummary(ctx, db, account, calendar.DateOf(asOf))
	if errors.Is(err, store.ErrNoAccount) {
		return fmt.Errorf("no account %s", account)
	}
	if err != nil {
		return err
	}
	if fs.Lookup("json").Value.String() == "true" {
		return writeJSON(a.stdout, s)
	}
	w := a.stdout
	fmt.Fprintf(w, "Account %s (%s), as of %s\n\n", s.AccountID, s.Name, s.AsOf)
	if len(s.Balances) == 0 {
		fmt.Fprintln(w, "No invoices, payments or charges yet.")
	} else {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "currency\tinvoiced\tpaid\tpaid back\tdisputed\tbalance\tdue\toverdue\tcredit\tcharges so far\testimated next balance\t")
		for _, b := range s.Balances {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", b.Currency, b.Invoiced, b.Paid, b.PaidBack, b.Disputed, b.Balance, b.Due, b.Overdue,
				b.Credit, b.Unbilled, b.EstimatedNext)
		}
		tw.Flush()
	}
	fmt.Fprintln(w)
	for _, o := range s.OpenInvoices {
		fmt.Fprintf(w, "Open invoice %s of %s: %s %s due of %s%s\n", o.Number, o.IssueDate, o.AmountDue, o.Currency, o.Total, dueNote(o))
	}
	for _, o := range s.OpenWindows {
		fmt.Fprintf(w, "Open %s window %s – %s: %d lines so far, %s %s before tax\n", o.Billing, o.WindowStart, o.WindowEnd, o.Lines, o.Subtotal, o.Currency)
	}
	if s.RatedAt != nil {
		fmt.Fprintf(w, "Charges so far as rated at %s (the nightly job refreshes them).\n", s.RatedAt.UTC().Format(time.RFC3339))
	} else {
		fmt.Fprintln(w, "Charges so far: not rated yet (billing run --stage rate).")
	}
	if s.PaymentMethod != nil {
		pm := s.PaymentMethod
		fmt.Fprintf(w, "Payment method: %s ending %s, expires %02d/%d (%s)\n", pm.Brand, pm.Last4, pm.Month, pm.Year, pm.Status)
	} else {
		fmt.Fprintln(w, "Payment method: none on file")
	}
	last := "none yet"
	if s.LastInvoiceDate != nil {
		last = s.LastInvoiceDate.String()
	}
	fmt.Fprintf(w, "Last anniversary invoice: %s\nNext anniversary invoice: %s\n", last, s.NextInvoiceDate)
	return nil
}

// dueNote says when an open invoice is due, and whether it is overdue.
func dueNote(o pipeline.OpenInvoice) string {
	switch {
	case o.DueDate == nil:
		return ""
	case o.Overdue:
		return ", overdue since " + o.DueDate.String()
	default:
		return ", due " + o.DueDate.String()
	}
}
