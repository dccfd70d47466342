package pipeline

import (
	"context"
	"fmt"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/rating"
	"github.com/openbilling/billing/store"
)

// windowCharges are the charges of one account's window, by invoice currency.
type windowCharges struct {
	lines map[money.Currency][]rating.Line
	held  []rating.Held
}

func (wc *windowCharges) currencies() []money.Currency {
	out := make([]money.Currency, 0, len(wc.lines))
	for c := range wc.lines {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// rateRequest is one account's window to rate, with its subscriptions.
type rateRequest struct {
	account Account
	window  calendar.Window
	subs    []*subscription
}

// rateWindow computes every charge of an account's window (see rateWindows).
func (c *catalog) rateWindow(ctx context.Context, q store.Queryer, a Account, w calendar.Window, subs []*subscription) (*windowCharges, error) {
	out, err := c.rateWindows(ctx, q, []rateRequest{{account: a, window: w, subs: subs}})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// rateWindows computes every charge of many accounts' windows from the
// stored orders and usage: licence and one-time lines whose activity date
// falls in the window, and one usage line per usage subscription (§3,
// §4). The usage of all the windows is read in one query.
func (c *catalog) rateWindows(ctx context.Context, q store.Queryer, reqs []rateRequest) ([]*windowCharges, error) {
	out := make([]*windowCharges, len(reqs))
	var usage []usageRequest
	for i, r := range reqs {
		wc := &windowCharges{lines: map[money.Currency][]rating.Line{}}
		out[i] = wc
		w := r.window
		for _, s := range r.subs {
			for _, h := range s.held {
				if w.Contains(h.Date) {
					wc.held = append(wc.held, h)
				}
			}
			// The window's lines and held records, and only those are built;
			// for usage, the orders that do not fit.
			lines, held := rating.LinesIn(&s.Subscription, w.Period)
			if s.Kind == rating.KindUsage {
				usage = append(usage, usageRequest{sub: s, window: w, charges: wc})
			}
			if len(lines) > 0 { // a currency with no line makes no invoice
				wc.lines[s.Currency] = append(wc.lines[s.Currency], lines...)
			}
			wc.held = append(wc.held, held...)
		}
	}
	if len(usage) > 0 {
		if err := c.rateUsage(ctx, q, usage); err != nil {
			return nil, fmt.Errorf("rating usage: %w", err)
		}
	}
	return out, nil
}

// usageRequest is a usage subscription to rate in a window.
type usageRequest struct {
	sub     *subscription
	window  calendar.Window
	charges *windowCharges // where its line goes
}

// rateUsage sums each usage subscription's events in its window, per day in
// SQL, holds the days outside its active dates and rates the rest.
func (c *catalog) rateUsage(ctx context.Context, q store.Queryer, reqs []usageRequest) error {
	ids := make([]string, len(reqs))
	from := make([]string, len(reqs))
	to := make([]string, len(reqs))
	for i, r := range reqs {
		ids[i], from[i], to[i] = r.sub.ID, r.window.Start.String(), (r.window.End + 1).String()
	}
	current, total := -1, decimal.Zero
	var active *rating.Active
	err := store.StreamUsageDays(ctx, q, c.usageDays, ids, from, to, func(day *store.UsageDay) error {
		i := day.Request - 1 // ordinality counts from 1
		if i != current {
			if current >= 0 {
				reqs[current].rate(total)
			}
			current, total = i, decimal.Zero
			active, _ = rating.UsagePeriod(&reqs[i].sub.Subscription, reqs[i].window.End) // its held orders are counted by rateWindows
		}
		r := reqs[i]
		if reason := rating.UsageHoldReason(active, day.Day); reason != "" {
			r.charges.held = append(r.charges.held, rating.Held{SubscriptionID: r.sub.ID, Date: day.Day, Quantity: day.Quantity,
				Reason: fmt.Sprintf("usage (%d events) %s", day.Events, reason)})
			return nil
		}
		total = total.Add(day.Quantity)
		return nil
	})
	if err != nil {
		return err
	}
	if current >= 0 {
		reqs[current].rate(total)
	}
	return nil
}

// rate adds the usage line of a subscription's window total, or holds the
// total when no price applies.
func (r usageRequest) rate(total decimal.Decimal) {
	if total.Sign() == 0 {
		return
	}
	s, w, wc := r.sub, r.window, r.charges
	line, ok := rating.UsageLine(&s.Subscription, w, total)
	if !ok {
		wc.held = append(wc.held, rating.Held{SubscriptionID: s.ID, Date: w.Start, Quantity: total,
			Reason: fmt.Sprintf("usage: no %s price for %s in effect on %s", s.Currency, s.SKU, w.Start)})
		return
	}
	wc.lines[s.Currency] = append(wc.lines[s.Currency], line)
}
