package pipeline

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/jmoiron/sqlx"

	"github.com/openbilling/billing/pipeline/calendar"
	"github.com/openbilling/billing/pipeline/charges"
	"github.com/openbilling/billing/pipeline/invoicing"
	billingsql "github.com/openbilling/billing/sql"
)

// dueWindow is a window of an account that a run must close.
type dueWindow struct {
	account Account
	billing calendar.Billing
	window  calendar.Window
}

// close closes every window due at the run's as-of date, oldest first
// across all accounts (catch-up, SPEC §3). Each window is closed in one
// transaction holding its invoices, their lines and the closed marker, so
// a crash leaves it wholly closed or untouched. Closing processes queue on
// an advisory lock so that invoice numbers follow issue dates; the closed
// markers and unique keys, not the lock, are what make a double close
// impossible should the lock be lost.
func (p *Pipeline) close(ctx context.Context, run *runState, rep *Report) error {
	if _, err := run.conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, closeLockKey); err != nil {
		return fmt.Errorf("waiting for other closing runs: %w", err)
	}
	defer run.conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, closeLockKey) //nolint:errcheck // the session ends soon anyway

	cat, err := loadCatalog(ctx, p.DB)
	if err != nil {
		return err
	}
	due, err := p.dueWindows(ctx, calendar.DateOf(rep.AsOf))
	if err != nil {
		return err
	}
	if len(due) > 0 {
		from, to := due[0].window.Start, due[0].window.End+1
		for _, d := range due {
			from, to = min(from, d.window.Start), max(to, d.window.End+1)
		}
		if err := cat.sumUsageDays(ctx, run.conn, from, to); err != nil {
			return err
		}
		defer cat.dropUsageDays(ctx, run.conn)
	}
	untaxed := map[string]bool{}
	for _, d := range due {
		if err := checkpoint(ctx); err != nil {
			return err
		}
		if err := p.closeWindow(ctx, run, cat, d, rep, untaxed); err != nil {
			return fmt.Errorf("closing window %s for account %s (%s): %w", d.window.Start, d.account.ID, d.billing, err)
		}
	}
	for c := range untaxed {
		rep.Untaxed = append(rep.Untaxed, c)
	}
	return nil
}

// dueWindows lists, oldest closing date first, every window not yet closed
// that is due on asOf, from each account's first activity on. An account's
// closed windows form one unbroken run (every window from its first activity
// is closed, with or without charges), so a window is open when it lies
// outside that run: after it, or before it when an order dated earlier than
// any closed window arrives, whose window is then closed as catch-up would
// have closed it. Activity inside a closed window is late and waits for a
// rerun (SPEC §7).
func (p *Pipeline) dueWindows(ctx context.Context, asOf calendar.Date) ([]dueWindow, error) {
	accounts, err := loadAccounts(ctx, p.DB)
	if err != nil {
		return nil, err
	}
	var firsts []struct {
		AccountID string        `db:"account_id"`
		Billing   string        `db:"billing"`
		First     calendar.Date `db:"first_date"`
	}
	if err := p.DB.SelectContext(ctx, &firsts, billingsql.Query("order_first_dates")); err != nil {
		return nil, fmt.Errorf("finding first activity: %w", err)
	}
	var closedRuns []struct {
		AccountID string        `db:"account_id"`
		Billing   string        `db:"billing"`
		First     calendar.Date `db:"first_start"`
		Last      calendar.Date `db:"last_start"`
	}
	if err := p.DB.SelectContext(ctx, &closedRuns, `SELECT account_id, billing, min(window_start) AS first_start,
		max(window_start) AS last_start FROM closed_windows GROUP BY account_id, billing`); err != nil {
		return nil, fmt.Errorf("reading closed windows: %w", err)
	}
	type key struct{ account, billing string }
	closed := map[key]calendar.Period{}
	for _, c := range closedRuns {
		closed[key{c.AccountID, c.Billing}] = calendar.Period{Start: c.First, End: c.Last}
	}
	byID := map[string]Account{}
	for _, a := range accounts {
		byID[a.ID] = a
	}
	var due []dueWindow
	for _, f := range firsts {
		a := byID[f.AccountID]
		b := calendar.Billing(f.Billing)
		run, hasClosed := closed[key{f.AccountID, f.Billing}]
		for _, w := range calendar.WindowsDue(b, a.BillingDay, f.First, asOf, p.GraceDays) {
			if hasClosed && run.Contains(w.Start) {
				continue
			}
			due = append(due, dueWindow{account: a, billing: b, window: w})
		}
	}
	sort.Slice(due, func(i, j int) bool {
		a, b := due[i], due[j]
		switch {
		case a.window.Closes != b.window.Closes:
			return a.window.Closes < b.window.Closes
		case a.account.ID != b.account.ID:
			return a.account.ID < b.account.ID
		default:
			return a.billing < b.billing
		}
	})
	return due, nil
}

func (p *Pipeline) closeWindow(ctx context.Context, run *runState, cat *catalog, d dueWindow, rep *Report, untaxed map[string]bool) error {
	tx, err := run.conn.BeginTxx(ctx, nil) // the run's own session, which holds usage_days
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit

	var claimed []calendar.Date
	if err := tx.SelectContext(ctx, &claimed, billingsql.Query("closed_window_insert"),
		d.account.ID, string(d.billing), d.window.Start, d.window.End, d.window.Closes, run.id); err != nil {
		return fmt.Errorf("claiming the window: %w", err)
	}
	if len(claimed) == 0 {
		return nil // another run closed it
	}
	subs, err := cat.loadSubscriptions(ctx, tx, d.account, d.billing)
	if err != nil {
		return err
	}
	wc, err := cat.rateWindow(ctx, tx, d.account, d.billing, d.window, subs)
	if err != nil {
		return err
	}
	rate, found := cat.taxes.At(d.account.Country, d.window.Closes)
	if !found {
		untaxed[d.account.Country] = true
	}
	var hasAnniversary bool
	if d.billing == calendar.BillingAnniversary {
		if err := tx.GetContext(ctx, &hasAnniversary, billingsql.Query("invoice_exists_anniversary"), d.account.ID); err != nil {
			return err
		}
	}
	var stored []storedInvoice
	for _, c := range wc.currencies() {
		key := invoicing.Key{AccountID: d.account.ID, Billing: d.billing, WindowStart: d.window.Start, Currency: c}
		inv, ok := invoicing.Assemble(key, d.window, wc.lines[c], rate, !hasAnniversary)
		if !ok {
			continue
		}
		number, err := insertInvoice(ctx, tx, inv, "", run.id)
		if err != nil {
			return err
		}
		stored = append(stored, storedInvoice{number: number, inv: inv})
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	rep.WindowsClosed++
	for _, s := range stored {
		rep.Invoices++
		rep.Lines += len(s.inv.Lines)
		rep.addTotal(s.inv.Currency, s.inv.Total)
		p.Log.Info("invoice_issued", "number", s.number, "account_id", d.account.ID, "window_start", d.window.Start.String(),
			"currency", string(s.inv.Currency), "lines", len(s.inv.Lines), "total", s.inv.Total.String())
	}
	rep.countHeld(d.account.ID, d.window.Start, wc.held)
	return nil
}

type storedInvoice struct {
	number string
	inv    invoicing.Invoice
}

// countHeld adds a window's held records to the report, by reason.
func (r *Report) countHeld(accountID string, windowStart calendar.Date, held []charges.Held) {
	byReason := map[string]int{}
	for _, h := range held {
		byReason[h.Reason]++
	}
	for reason, n := range byReason {
		r.Held = append(r.Held, HeldCount{AccountID: accountID, WindowStart: windowStart.String(), Reason: reason, Records: n})
	}
}

// invoiceSeries is the numbering series of an invoice: one per issue year,
// so a number says when it was issued: INV-2026-000042.
func invoiceSeries(inv invoicing.Invoice) string {
	return "INV-" + strconv.Itoa(inv.IssueDate.Year())
}

// insertInvoice numbers and stores a finalized invoice with its lines,
// streamed with COPY.
func insertInvoice(ctx context.Context, tx *sqlx.Tx, inv invoicing.Invoice, adjusts string, runID int64) (string, error) {
	series := invoiceSeries(inv)
	var seq int64
	if err := tx.GetContext(ctx, &seq, billingsql.Query("invoice_series_next"), series); err != nil {
		return "", fmt.Errorf("numbering invoice: %w", err)
	}
	number := fmt.Sprintf("%s-%06d", series, seq)
	var adjustsArg any
	if adjusts != "" {
		adjustsArg = adjusts
	}
	if _, err := tx.ExecContext(ctx, billingsql.Query("invoice_insert"), number, series, seq, inv.AccountID, string(inv.Type),
		string(inv.Billing), string(inv.Currency), inv.Window.Start, inv.Window.End, inv.IssueDate,
		inv.TaxRate.String(), inv.Subtotal.String(), inv.Tax.String(), inv.Total.String(), adjustsArg, runID); err != nil {
		return "", fmt.Errorf("storing invoice %s: %w", number, err)
	}
	stmt, err := tx.PrepareContext(ctx, billingsql.Query("invoice_line_copy"))
	if err != nil {
		return "", fmt.Errorf("storing lines of invoice %s: %w", number, err)
	}
	defer stmt.Close()
	for i, l := range inv.Lines {
		if _, err := stmt.ExecContext(ctx, number, i+1, l.CustomerID, nullIfEmpty(l.SubscriptionID), nullIfEmpty(l.OrderID),
			l.SKU, string(l.ChargeType), l.ChargeStart.String(), l.ChargeEnd.String(), l.ActivityDate.String(),
			l.UnitPrice.String(), l.EffectiveUnitPrice.String(), l.Quantity.String(), l.Amount.String(), l.Tax.String(),
			l.Total.String(), nullIfZero(l.DaysCharged), nullIfZero(l.TermDays), nullIfEmpty(l.Detail), l.Reversal); err != nil {
			return "", fmt.Errorf("storing lines of invoice %s: %w", number, err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return "", fmt.Errorf("storing lines of invoice %s: %w", number, err)
	}
	return number, stmt.Close()
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullIfZero(n int) any {
	if n == 0 {
		return nil
	}
	return n
}
