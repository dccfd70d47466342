package pipeline

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/invoicing"
	"github.com/openbilling/billing/payments"
	"github.com/openbilling/billing/pipeline/units"
	"github.com/openbilling/billing/rating"
	"github.com/openbilling/billing/store"
)

// dueWindow is a window of an account that a run must close.
type dueWindow struct {
	account Account
	billing calendar.Billing
	window  calendar.Window
}

// closeBatch is the most windows closed in one transaction.
const closeBatch = 500

// close closes every window due at the run's as-of date, oldest first
// across all accounts (catch-up, §3). Windows close in batches of one
// closing date. Any worker rates a batch (a unit, units.go): it reads the
// batch's orders and usage in one query each and computes the invoices. The
// run writes the rated batches in closing-date order, each in one
// transaction with its invoices' numbers, lines and closed markers, so a
// crash leaves each window wholly closed or untouched, and numbers are
// gap-free and follow issue dates however many processes rated. Closing
// runs queue on an advisory lock for the same reason; the closed markers
// and unique keys, not the lock, are what make a double close impossible
// should the lock be lost.
func (p *Pipeline) close(ctx context.Context, run *runState, rep *Report) error {
	if err := store.LockClose(ctx, run.conn); err != nil {
		return fmt.Errorf("waiting for other closing runs: %w", err)
	}
	defer store.UnlockClose(ctx, run.conn)

	began := time.Now()
	sh, err := p.loadShared(ctx, run.id)
	if err != nil {
		return err
	}
	due, err := p.dueWindows(ctx, calendar.DateOf(rep.AsOf))
	if err != nil || len(due) == 0 {
		return err
	}
	from, to := due[0].window.Start, due[0].window.End+1
	for _, d := range due {
		from, to = min(from, d.window.Start), max(to, d.window.End+1)
	}
	// The usage is read once, under one snapshot, and each batch's orders
	// under another: each closed window keeps both, and what they did not
	// see is late for it (§7).
	sums := *sh.cat
	usageSeen, err := sums.sumUsageDays(ctx, run.conn, run.id, from, to)
	if err != nil {
		return err
	}
	defer sums.dropUsageDays(ctx, run.conn)
	rep.addSeconds("close_prepare", time.Since(began).Seconds())
	batches := closeBatches(due)
	todo := make([]units.Unit, len(batches))
	for i, b := range batches {
		todo[i] = units.Unit{RunID: run.id, Stage: string(StageClose), AsOf: rep.AsOf, Catalog: sh.cat.version, Windows: make([]units.Window, len(b))}
		for j, d := range b {
			todo[i].Windows[j] = units.Window{AccountID: d.account.ID, Billing: d.billing, Start: d.window.Start, End: d.window.End, Closes: d.window.Closes}
		}
	}
	sp, err := p.spread(ctx, run, rep, todo)
	if err != nil {
		return err
	}
	untaxed := map[string]bool{}
	done := 0
	for seq, batch := range batches {
		if err := checkpoint(ctx); err != nil {
			return err
		}
		if _, err := sp.Await(ctx, seq); err != nil {
			return err
		}
		rb, err := p.ratedResult(ctx, todo[seq], batch)
		if err != nil {
			return err
		}
		began := time.Now()
		if err := p.writeWindows(ctx, run.conn, rb, usageSeen, run.id, rep, untaxed); err != nil {
			return err
		}
		rep.addSeconds("close_writes", time.Since(began).Seconds())
		done += len(batch)
		p.Log.Debug("windows_closed", "closes_on", batch[0].window.Closes.String(), "windows", len(batch), "done", done, "due", len(due))
	}
	for c := range untaxed {
		rep.Untaxed = append(rep.Untaxed, c)
	}
	if rep.Invoices > 0 {
		// Fresh statistics for what reads the new invoices next (emit, the listings).
		return store.AnalyzeInvoices(ctx, run.conn)
	}
	return nil
}

// ratedBatch is a batch of due windows of one closing date with their
// invoices, ready to write.
type ratedBatch struct {
	windows    []dueWindow
	assembled  []AssembledWindow
	ordersSeen string // the snapshot the batch's orders were read in
}

// AssembledWindow is what a close unit made of one due window: its
// invoices, assembled as if they were not the account's first anniversary
// invoices (the run, which knows, sets that), or why the window cannot
// close; and the records it holds.
type AssembledWindow struct {
	Invoices []invoicing.Invoice
	Failed   string // the reason the window stays open (§10), or ""
	Held     []rating.Held
	Untaxed  bool // its country has no tax rate on the closing date
}

// closeBatches splits the due windows, in order, into batches of one
// closing date of at most closeBatch windows.
func closeBatches(due []dueWindow) [][]dueWindow {
	var out [][]dueWindow
	for start := 0; start < len(due); {
		end := start + 1
		for end < len(due) && end-start < closeBatch && due[end].window.Closes == due[start].window.Closes {
			end++
		}
		out = append(out, due[start:end])
		start = end
	}
	return out
}

// assembledWire is a close unit's result as stored: each window's
// invoices, and the snapshot the batch's orders were read in.
type assembledWire struct {
	OrdersSeen string
	Windows    []AssembledWindow
}

// closeUnit rates a batch of due windows and assembles their invoices, for
// the run to number and write.
func (p *Pipeline) closeUnit(ctx context.Context, u units.Unit) error {
	sh, err := p.sharedFor(ctx, u)
	if err != nil {
		return err
	}
	ids := make([]string, len(u.Windows))
	for i, w := range u.Windows {
		ids[i] = w.AccountID
	}
	accounts, err := unitAccounts(ctx, p.DB, ids)
	if err != nil {
		return err
	}
	batch := make([]dueWindow, len(u.Windows))
	for i, w := range u.Windows {
		batch[i] = dueWindow{account: accounts[w.AccountID], billing: w.Billing, window: calendar.Window{Period: calendar.Period{Start: w.Start, End: w.End}, Closes: w.Closes}}
	}
	conn, err := p.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := store.SetWorkMem(ctx, conn); err != nil {
		return err
	}
	rated, seen, err := sh.rating().rateBatchSeen(ctx, conn, batch)
	if err != nil {
		return err
	}
	wire := assembledWire{OrdersSeen: seen, Windows: make([]AssembledWindow, len(batch))}
	for i, d := range batch {
		wire.Windows[i] = assemble(sh.cat, d, rated[i])
	}
	// A unit of a run of this process hands its result over in memory;
	// another process's run reads it from the unit's record.
	if _, own := p.ownRuns.Load(u.RunID); own && p.results.Put(u, wire) {
		_, err = units.Save(ctx, p.DB, u, nil, nil)
		return err
	}
	b, err := units.EncodeResult(&wire)
	if err != nil {
		return err
	}
	_, err = units.Save(ctx, p.DB, u, b, nil)
	return err
}

// assemble makes a window's invoices from its charges, one per currency
// with lines, taxed at the account's country's rate on the closing date. A
// window with a number no spreadsheet cell can hold fails alone and stays
// open (§10).
func assemble(cat *catalog, d dueWindow, wc *windowCharges) AssembledWindow {
	rate, found := cat.taxes.At(d.account.Country, d.window.Closes)
	out := AssembledWindow{Held: wc.held, Untaxed: !found}
	for _, c := range wc.currencies() {
		key := invoicing.Key{AccountID: d.account.ID, Billing: d.billing, WindowStart: d.window.Start, Currency: c}
		inv, ok := invoicing.Assemble(key, d.window, wc.lines[c], rate, false)
		if !ok {
			continue
		}
		if err := inv.CheckCells(); err != nil && out.Failed == "" {
			out.Failed = fmt.Sprintf("%s invoice: %v", c, err)
		}
		out.Invoices = append(out.Invoices, inv)
	}
	if out.Failed != "" {
		out.Invoices = nil
	}
	return out
}

// ratedResult takes a close unit's assembled windows: from memory when
// this process worked the unit, else from its record.
func (p *Pipeline) ratedResult(ctx context.Context, u units.Unit, batch []dueWindow) (ratedBatch, error) {
	var wire assembledWire
	if v, ok := p.results.Take(u); ok {
		wire = v.(assembledWire)
	} else {
		b, err := store.UnitResult(ctx, p.DB, u.RunID, u.Stage, u.Seq)
		if err != nil {
			return ratedBatch{}, fmt.Errorf("reading close unit %d: %w", u.Seq, err)
		}
		if err := units.DecodeResult(b, &wire); err != nil {
			return ratedBatch{}, fmt.Errorf("reading close unit %d: %w", u.Seq, err)
		}
	}
	if len(wire.Windows) != len(batch) {
		return ratedBatch{}, fmt.Errorf("close unit %d assembled %d windows of %d", u.Seq, len(wire.Windows), len(batch))
	}
	return ratedBatch{windows: batch, assembled: wire.Windows, ordersSeen: wire.OrdersSeen}, nil
}

// dueWindows lists, oldest closing date first, every window not yet closed
// that is due on asOf, from each account's first activity on. An account's
// closed windows form one unbroken run (every window from its first activity
// is closed, with or without charges), so a window is open when it lies
// outside that run: after it, or before it when an order dated earlier than
// any closed window arrives, whose window is then closed as catch-up would
// have closed it. Activity inside a closed window is late and waits for a
// rerun (§7).
func (p *Pipeline) dueWindows(ctx context.Context, asOf calendar.Date) ([]dueWindow, error) {
	accounts, err := loadAccounts(ctx, p.DB)
	if err != nil {
		return nil, err
	}
	firsts, err := store.FirstActivities(ctx, p.DB)
	if err != nil {
		return nil, fmt.Errorf("finding first activity: %w", err)
	}
	closedRuns, err := store.ClosedWindowSpans(ctx, p.DB)
	if err != nil {
		return nil, fmt.Errorf("reading closed windows: %w", err)
	}
	byID := map[string]Account{}
	for _, a := range accounts {
		byID[a.ID] = a
	}
	type key struct{ account, billing string }
	closed := map[key]func(calendar.Date) bool{}
	for _, c := range closedRuns {
		a, b := byID[c.AccountID], calendar.Billing(c.Billing)
		span := calendar.Period{Start: c.First, End: c.Last}
		if len(a.Days.WindowsFrom(b, c.First, c.Last)) == c.Count {
			closed[key{c.AccountID, c.Billing}] = span.Contains
			continue
		}
		// A window in the span stayed open (it failed to close): look
		// at each closed window of this account.
		starts, err := store.ClosedWindowStarts(ctx, p.DB, c.AccountID, c.Billing)
		if err != nil {
			return nil, fmt.Errorf("reading closed windows of account %s: %w", c.AccountID, err)
		}
		set := make(map[calendar.Date]bool, len(starts))
		for _, d := range starts {
			set[d] = true
		}
		closed[key{c.AccountID, c.Billing}] = func(d calendar.Date) bool { return set[d] }
	}
	var due []dueWindow
	for _, f := range firsts {
		a := byID[f.AccountID]
		b := calendar.Billing(f.Billing)
		isClosed := closed[key{f.AccountID, f.Billing}]
		for _, w := range a.Days.WindowsDue(b, f.First, asOf, p.GraceDays) {
			if isClosed != nil && isClosed(w.Start) {
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

// rateBatchSeen is rateBatch in one snapshot, which it returns: the orders
// it did not see are late for the batch's windows (§7).
func (c *catalog) rateBatchSeen(ctx context.Context, conn *store.Conn, batch []dueWindow) ([]*windowCharges, string, error) {
	var rated []*windowCharges
	var seen string
	err := conn.InSnapshot(ctx, func(tx *store.Tx) error {
		var err error
		if seen, err = store.CurrentSnapshot(ctx, tx); err != nil {
			return err
		}
		rated, err = c.rateBatch(ctx, tx, batch)
		return err
	})
	return rated, seen, err
}

// rateBatch reads a batch's accounts' subscriptions and their usage in the
// windows (q must hold usage_days) and computes each window's charges.
func (c *catalog) rateBatch(ctx context.Context, q store.Queryer, batch []dueWindow) ([]*windowCharges, error) {
	var accounts []Account
	var billings []calendar.Billing
	for i, d := range batch { // one closing date: an account's windows differ by billing
		if i == 0 || d.account.ID != batch[i-1].account.ID || d.billing != batch[i-1].billing {
			accounts, billings = append(accounts, d.account), append(billings, d.billing)
		}
	}
	subs, err := c.loadSubscriptionsOf(ctx, q, accounts, billings)
	if err != nil {
		return nil, err
	}
	reqs := make([]rateRequest, len(batch))
	for i, d := range batch {
		reqs[i] = rateRequest{account: d.account, window: d.window, subs: subs[accountBilling{d.account.ID, d.billing}]}
	}
	return c.rateWindows(ctx, q, reqs)
}

// writeWindows closes a batch of rated windows in one transaction. When the
// batch fails on the database, its windows are written one by one, so that
// the error names the window and those before it close.
func (p *Pipeline) writeWindows(ctx context.Context, conn *store.Conn, rb ratedBatch, usageSeen string,
	runID int64, rep *Report, untaxed map[string]bool) error {
	batch := rb.windows
	err := p.writeBatch(ctx, conn, rb, usageSeen, runID, rep, untaxed)
	switch {
	case err == nil:
		return nil
	case len(batch) == 1:
		d := batch[0]
		return fmt.Errorf("closing window %s for account %s (%s): %w", d.window.Start, d.account.ID, d.billing, err)
	case !store.IsDatabaseError(err):
		return err
	}
	for i := range batch {
		one := ratedBatch{windows: batch[i : i+1], assembled: rb.assembled[i : i+1], ordersSeen: rb.ordersSeen}
		if err := p.writeWindows(ctx, conn, one, usageSeen, runID, rep, untaxed); err != nil {
			return err
		}
	}
	return nil
}

func (p *Pipeline) writeBatch(ctx context.Context, conn *store.Conn, rb ratedBatch, usageSeen string,
	runID int64, rep *Report, untaxed map[string]bool) error {
	batch := rb.windows
	if len(batch) == 0 {
		return nil
	}
	var (
		closing          []dueWindow
		closingAssembled []AssembledWindow
		failed           []FailedWindow
		claimed          map[windowKey]bool
		invoices         []invoicing.Invoice
		numbers          []string
	)
	err := conn.InTx(ctx, func(tx *store.Tx) error {
		// Whether each account has had an anniversary invoice, read here: the
		// batch before this one may have issued it.
		var ids []string
		for i, d := range batch {
			if i == 0 || d.account.ID != batch[i-1].account.ID {
				ids = append(ids, d.account.ID)
			}
		}
		withAnniversary, err := store.AccountsWithAnniversary(ctx, tx, ids)
		if err != nil {
			return err
		}
		hasAnniversary := map[string]bool{}
		for _, id := range withAnniversary {
			hasAnniversary[id] = true
		}
		// Each window's invoices, the account's first anniversary invoice
		// marked; a window that failed to assemble stays open.
		for i, d := range batch {
			aw := rb.assembled[i]
			if aw.Untaxed {
				untaxed[d.account.Country] = true
			}
			if aw.Failed != "" {
				failed = append(failed, FailedWindow{AccountID: d.account.ID, Billing: string(d.billing), WindowStart: d.window.Start.String(), Error: aw.Failed})
				continue
			}
			first := d.billing == calendar.BillingAnniversary && !hasAnniversary[d.account.ID]
			for j := range aw.Invoices {
				aw.Invoices[j].SetFirstAnniversary(first)
			}
			closing, closingAssembled = append(closing, d), append(closingAssembled, aw)
		}
		claimed, err = claimWindows(ctx, tx, closing, rb.ordersSeen, usageSeen, runID)
		if err != nil {
			return fmt.Errorf("claiming windows: %w", err)
		}
		for i, d := range closing {
			if claimed[windowKey{d.account.ID, d.billing, d.window.Start}] { // else another run closed it
				invoices = append(invoices, closingAssembled[i].Invoices...)
			}
		}
		numbers, err = p.storeInvoices(ctx, tx, invoices, nil, runID)
		return err
	})
	if err != nil {
		return err
	}
	for i, d := range closing {
		if claimed[windowKey{d.account.ID, d.billing, d.window.Start}] {
			rep.WindowsClosed++
			rep.countHeld(d.account.ID, d.window.Start, closingAssembled[i].Held)
		}
	}
	for _, f := range failed {
		p.Log.Error("window_not_closed", "account_id", f.AccountID, "billing", f.Billing, "window_start", f.WindowStart, "error", f.Error)
	}
	rep.Failed = append(rep.Failed, failed...)
	for i, inv := range invoices {
		rep.Invoices++
		rep.Lines += len(inv.Lines)
		rep.addTotal(inv.Currency, inv.Total)
		p.Log.Info("invoice_issued", "number", numbers[i], "account_id", inv.AccountID, "window_start", inv.WindowStart.String(),
			"currency", string(inv.Currency), "lines", len(inv.Lines), "total", inv.Total.String())
	}
	return nil
}

type windowKey struct {
	account string
	billing calendar.Billing
	start   calendar.Date
}

// claimWindows marks a batch's windows closed, with the snapshots their
// orders and usage were read in, and returns those it claimed: a window
// already closed (by another run) is left out.
func claimWindows(ctx context.Context, tx *store.Tx, batch []dueWindow, ordersSeen, usageSeen string, runID int64) (map[windowKey]bool, error) {
	claims := make([]store.WindowClaim, len(batch))
	for i, d := range batch {
		claims[i] = store.WindowClaim{AccountID: d.account.ID, Billing: d.billing, Start: d.window.Start, End: d.window.End, Closes: d.window.Closes}
	}
	rows, err := store.ClaimWindows(ctx, tx, claims, ordersSeen, usageSeen, runID)
	if err != nil {
		return nil, err
	}
	claimed := make(map[windowKey]bool, len(rows))
	for _, r := range rows {
		claimed[windowKey{r.AccountID, r.Billing, r.Start}] = true
	}
	return claimed, nil
}

// countHeld adds a window's held records to the report, by reason.
func (r *Report) countHeld(accountID string, windowStart calendar.Date, held []rating.Held) {
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

// storeInvoices numbers finalized invoices, in their order (one statement
// per series for the numbers), and stores them with their lines; then the
// accounts' unallocated credit pays them (§9). adjusts, when given,
// names the invoice each adjusts.
func (p *Pipeline) storeInvoices(ctx context.Context, tx *store.Tx, invoices []invoicing.Invoice, adjusts []string, runID int64) ([]string, error) {
	numbers, err := p.numberAndStore(ctx, tx, invoices, adjusts, "", runID)
	if err != nil || len(numbers) == 0 {
		return numbers, err
	}
	if err := applyCredits(ctx, tx, invoices); err != nil {
		return nil, fmt.Errorf("applying credit to invoices %s to %s: %w", numbers[0], numbers[len(numbers)-1], err)
	}
	return numbers, nil
}

// applyCredits lets the unallocated credit of the invoices' accounts pay them.
func applyCredits(ctx context.Context, tx *store.Tx, invoices []invoicing.Invoice) error {
	seen := map[string]bool{}
	var accounts []string
	for _, inv := range invoices {
		if !seen[inv.AccountID] {
			seen[inv.AccountID] = true
			accounts = append(accounts, inv.AccountID)
		}
	}
	return payments.ApplyCredits(ctx, tx, accounts)
}

// numberAndStore numbers invoices and stores them with their lines; reason
// is an operator's, for a credit or refund, and "" for the pipeline's.
func (p *Pipeline) numberAndStore(ctx context.Context, tx *store.Tx, invoices []invoicing.Invoice, adjusts []string, reason string, runID int64) ([]string, error) {
	if len(invoices) == 0 {
		return nil, nil
	}
	taken := map[string]int64{} // series → numbers taken in this call
	var order []string
	for _, inv := range invoices {
		s := invoiceSeries(inv)
		if _, ok := taken[s]; !ok {
			order = append(order, s)
		}
		taken[s]++
	}
	next := map[string]int64{}
	for _, s := range order {
		last, err := store.TakeInvoiceNumbers(ctx, tx, s, taken[s])
		if err != nil {
			return nil, fmt.Errorf("numbering invoices: %w", err)
		}
		next[s] = last - taken[s] + 1
	}
	numbered := make([]store.NewInvoice, len(invoices))
	numbers := make([]string, len(invoices))
	for i, inv := range invoices {
		s := invoiceSeries(inv)
		seq := next[s]
		next[s]++
		numbers[i] = fmt.Sprintf("%s-%06d", s, seq)
		numbered[i] = store.NewInvoice{Invoice: inv, Number: numbers[i], Series: s, Seq: seq, Reason: reason}
		if adjusts != nil {
			numbered[i].Adjusts = adjusts[i]
		}
	}
	if err := store.InsertInvoices(ctx, tx, numbered, runID, p.PaymentTermsDays); err != nil {
		return nil, err
	}
	return numbers, nil
}

// insertInvoice numbers and stores one finalized invoice with its lines.
func (p *Pipeline) insertInvoice(ctx context.Context, tx *store.Tx, inv invoicing.Invoice, adjusts string, runID int64) (string, error) {
	numbers, err := p.storeInvoices(ctx, tx, []invoicing.Invoice{inv}, []string{adjusts}, runID)
	if err != nil {
		return "", err
	}
	return numbers[0], nil
}
