package pipeline

import (
	"context"
	"fmt"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/rating"
	"github.com/openbilling/billing/store"
)

// noAccount stands for the account of usage whose subscription is unknown.
const noAccount = "(unknown subscription)"

// extract derives the subscriptions from their orders and counts what waits:
// usage no window will bill as things stand (§4) and records dated
// more than a year before they arrived (§10). Held orders and usage inside
// a subscription's windows are counted, with their reasons, by the window
// that closes over them; late records after the close (§7). It changes no
// invoice.
func (p *Pipeline) extract(ctx context.Context, run *runState, rep *Report) error {
	// On the run's session, whose work_mem lets the million-row sorts stay in memory.
	n, err := store.DeriveSubscriptions(ctx, run.conn)
	if err != nil {
		return fmt.Errorf("deriving subscriptions: %w", err)
	}
	rep.Subscriptions = int(n)

	if err := p.countHeldUsage(ctx, run, rep); err != nil {
		return err
	}
	backdated, err := store.BackdatedCounts(ctx, run.conn, run.id)
	if err != nil {
		return fmt.Errorf("counting back-dated records: %w", err)
	}
	for _, b := range backdated {
		rep.Backdated = append(rep.Backdated, BackdatedCount(b))
	}
	return nil
}

// countLate reports the records of closed windows that their close or last
// rerun did not see (§7): counted after the close, so that what an
// import committed while this run closed windows is reported by this run.
func (p *Pipeline) countLate(ctx context.Context, run *runState, rep *Report) error {
	late, err := store.LateCounts(ctx, run.conn)
	if err != nil {
		return fmt.Errorf("counting late records: %w", err)
	}
	for _, l := range late {
		rep.Late = append(rep.Late, LateCount(l))
	}
	return nil
}

// countHeldUsage reports the usage no window will bill as things stand, with
// its reason (§4): of an unknown subscription (by UTC month), of a
// licence or one-time subscription, or dated before its account's first
// window (by the window it would have fallen in). It counts the usage that
// can still matter: dated in the open windows (none starts before the month
// before the as-of date's) or imported since the previous run, so that a
// run costs what is new, not what history holds.
func (p *Pipeline) countHeldUsage(ctx context.Context, run *runState, rep *Report) error {
	asOf := calendar.DateOf(rep.AsOf)
	openFrom := calendar.Clamp(1, asOf.Year(), asOf.Month()-1)
	rows, err := store.HeldUsageCounts(ctx, run.conn, run.id, openFrom.String())
	if err != nil {
		return fmt.Errorf("counting held usage: %w", err)
	}
	if len(rows) == 0 {
		return nil
	}
	accounts, err := loadAccounts(ctx, run.conn)
	if err != nil {
		return err
	}
	byID := make(map[string]Account, len(accounts))
	for _, a := range accounts {
		byID[a.ID] = a
	}
	held := map[HeldCount]int{}
	for _, r := range rows {
		var h HeldCount
		switch a := byID[r.AccountID.String]; {
		case !r.AccountID.Valid:
			h = HeldCount{AccountID: noAccount, WindowStart: calendar.NewDate(r.Day.Year(), r.Day.Month(), 1).String(),
				Reason: "usage for a subscription no new order has created"}
		case r.Kind != string(rating.KindUsage):
			h = HeldCount{AccountID: a.ID, WindowStart: a.Days.WindowOf(r.Billing, r.Day).Start.String(),
				Reason: fmt.Sprintf("usage for a %s subscription (only usage products bill usage)", r.Kind)}
		case r.First.Valid && r.Day < a.Days.WindowOf(r.Billing, r.First.V).Start:
			h = HeldCount{AccountID: a.ID, WindowStart: a.Days.WindowOf(r.Billing, r.Day).Start.String(),
				Reason: "usage dated before the account's first window (no order that early)"}
		default:
			continue // inside the first window: held by its close, with the reason
		}
		held[h] += r.Records
	}
	for h, n := range held {
		h.Records = n
		rep.Held = append(rep.Held, h)
	}
	return nil
}
