package pipeline

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/invoicing"
	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/rating"
	"github.com/openbilling/billing/store"
)

// RerunRequest names a closed window to recompute (§7, §10).
type RerunRequest struct {
	AccountID   string
	WindowStart calendar.Date
	Billing     calendar.Billing // empty: the account's only billing closed on that day
	Currency    money.Currency   // empty: every currency of the window
	AsOf        time.Time
	DryRun      bool
}

// Difference is what a rerun found for one currency of a window.
type Difference struct {
	Currency money.Currency
	Original string        // the original invoice's number; empty when the window had none
	Lines    []rating.Line // the adjustment's lines: empty when nothing changed
	Invoice  *invoicing.Invoice
	Number   string // the adjustment invoice issued; empty on a dry run or with no difference
}

// RerunReport is the outcome of a rerun.
type RerunReport struct {
	RunID       int64
	Account     string
	Billing     calendar.Billing
	Window      calendar.Window
	Differences []Difference
	Files       int
}

// Rerun recomputes a closed window from the current data and, unless it is
// a dry run, issues an adjustment invoice per currency for the difference
// against what was invoiced (earlier adjustments included), referencing the
// original, issued on the rerun's as-of date and taxed at the original's
// rate. A rerun with no difference issues nothing (§7).
func (p *Pipeline) Rerun(ctx context.Context, req RerunRequest) (*RerunReport, error) {
	run, err := p.startRun(ctx, req.AsOf, "rerun", "")
	if err != nil {
		return nil, err
	}
	defer run.release()
	out, err := p.rerun(ctx, run, req)
	rep := &Report{RunID: run.id, AsOf: req.AsOf.UTC(), Stage: "rerun"}
	if out != nil {
		for _, d := range out.Differences {
			if d.Number != "" {
				rep.Invoices++
				rep.Lines += len(d.Invoice.Lines)
				rep.addTotal(d.Currency, d.Invoice.Total)
			}
		}
	}
	if err == nil && !req.DryRun && p.Emitter != nil {
		var n int
		n, err = p.Emitter.Emit(ctx, p.DB)
		rep.Files, out.Files = n, n
	}
	rep.finish()
	if finishErr := p.finishRun(ctx, run, rep, err); finishErr != nil && err == nil {
		err = finishErr
	}
	return out, err
}

func (p *Pipeline) rerun(ctx context.Context, run *runState, req RerunRequest) (*RerunReport, error) {
	var out *RerunReport
	err := p.DB.InTx(ctx, func(tx *store.Tx) error {
		account, err := loadAccount(ctx, tx, req.AccountID)
		if err != nil {
			return err
		}
		// Lock the window's marker: reruns of one window queue behind each other.
		billings, err := store.LockClosedWindows(ctx, tx, account.ID, req.WindowStart, string(req.Billing))
		if err != nil {
			return err
		}
		switch {
		case len(billings) == 0:
			return fmt.Errorf("%w: account %s has no closed window starting %s (billing run closes windows when they are due)", ErrWindowNotClosed, account.ID, req.WindowStart)
		case len(billings) > 1:
			return fmt.Errorf("account %s has an anniversary and a calendar window starting %s: choose one with --billing", account.ID, req.WindowStart)
		}
		b := calendar.Billing(billings[0])
		w := account.Days.WindowOf(b, req.WindowStart)
		out = &RerunReport{RunID: run.id, Account: account.ID, Billing: b, Window: w}

		cat, wc, seen, err := p.recompute(ctx, account, b, w)
		if err != nil {
			return err
		}
		currencies, err := windowCurrencies(ctx, tx, account.ID, b, w, wc)
		if err != nil {
			return err
		}
		issued := calendar.DateOf(req.AsOf)
		for _, c := range currencies {
			if req.Currency != "" && c != req.Currency {
				continue
			}
			d, err := p.rerunCurrency(ctx, tx, run, cat, account, b, w, c, wc.lines[c], issued, req.DryRun)
			if err != nil {
				return fmt.Errorf("rerunning %s window %s of account %s in %s: %w", b, w.Start, account.ID, c, err)
			}
			out.Differences = append(out.Differences, d)
		}
		if req.DryRun {
			return store.ErrRollback
		}
		return store.SetRerun(ctx, tx, account.ID, string(b), w.Start, seen)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// recompute rates a closed window from the current data, read in one
// snapshot taken after the window's marker is locked, and returns that
// snapshot: what it did not see stays late for the window (§7).
func (p *Pipeline) recompute(ctx context.Context, a Account, b calendar.Billing, w calendar.Window) (*catalog, *windowCharges, string, error) {
	var (
		cat  *catalog
		wc   *windowCharges
		seen string
	)
	err := p.DB.InSnapshot(ctx, func(tx *store.Tx) error {
		var err error
		if seen, err = store.CurrentSnapshot(ctx, tx); err != nil {
			return err
		}
		if cat, err = loadCatalog(ctx, tx); err != nil {
			return err
		}
		subs, err := cat.loadSubscriptions(ctx, tx, a, b)
		if err != nil {
			return err
		}
		wc, err = cat.rateWindow(ctx, tx, a, w, subs)
		return err
	})
	return cat, wc, seen, err
}

// windowCurrencies lists the currencies a window was invoiced in or is now
// charged in, in order.
func windowCurrencies(ctx context.Context, tx *store.Tx, accountID string, b calendar.Billing, w calendar.Window, wc *windowCharges) ([]money.Currency, error) {
	invoiced, err := store.WindowCurrencies(ctx, tx, accountID, string(b), w.Start)
	if err != nil {
		return nil, err
	}
	seen := map[money.Currency]bool{}
	var out []money.Currency
	all := wc.currencies()
	for _, c := range invoiced {
		all = append(all, money.Currency(c))
	}
	for _, c := range all {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

func (p *Pipeline) rerunCurrency(ctx context.Context, tx *store.Tx, run *runState, cat *catalog, a Account, b calendar.Billing, w calendar.Window,
	c money.Currency, recomputed []rating.Line, issued calendar.Date, dryRun bool) (Difference, error) {
	d := Difference{Currency: c}
	invoices, err := store.WindowInvoices(ctx, tx, a.ID, string(b), w.Start, string(c))
	if err != nil {
		return d, err
	}
	var invoiced []rating.Line
	for _, inv := range invoices {
		lines, err := store.InvoiceLines(ctx, tx, inv.Number)
		if err != nil {
			return d, err
		}
		for _, l := range lines {
			invoiced = append(invoiced, l.Line.Line)
		}
	}
	d.Lines = invoicing.AdjustmentLines(invoiced, recomputed)
	if len(d.Lines) == 0 {
		return d, nil
	}
	key := invoicing.Key{AccountID: a.ID, Billing: b, WindowStart: w.Start, Currency: c}
	var inv invoicing.Invoice
	if len(invoices) > 0 && invoices[0].Adjusts == nil {
		d.Original = invoices[0].Number
		original := invoicing.Invoice{Key: key, Window: w, TaxRate: invoices[0].TaxRate}
		inv, _ = invoicing.AssembleAdjustment(original, d.Lines, issued)
	} else {
		// The window closed with nothing to invoice in this currency: the
		// late charges make its first invoice, issued on the rerun's date.
		rate, _ := cat.taxes.At(a.Country, issued)
		inv, _ = invoicing.Assemble(key, w, d.Lines, rate, false)
		inv.IssueDate = issued
	}
	d.Invoice = &inv
	if dryRun {
		return d, nil
	}
	number, err := p.insertInvoice(ctx, tx, inv, d.Original, run.id)
	if err != nil {
		return d, err
	}
	d.Number = number
	p.Log.Info("adjustment_issued", "number", number, "adjusts", d.Original, "account_id", a.ID,
		"window_start", w.Start.String(), "currency", string(c), "lines", len(inv.Lines), "total", inv.Total.String())
	return d, nil
}
