package pipeline

import (
	"context"
	"fmt"
	"sort"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/pipeline/calendar"
	"github.com/openbilling/billing/pipeline/charges"
	"github.com/openbilling/billing/pipeline/money"
	billingsql "github.com/openbilling/billing/sql"
)

// windowCharges are the charges of one account's window, by invoice currency.
type windowCharges struct {
	lines map[money.Currency][]charges.Line
	held  []charges.Held
}

func (wc *windowCharges) currencies() []money.Currency {
	out := make([]money.Currency, 0, len(wc.lines))
	for c := range wc.lines {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// rateWindow computes every charge of an account's window from the stored
// orders and usage: licence and one-time lines whose activity date falls in
// the window, and one usage line per usage subscription (SPEC §3, §4).
func (c *catalog) rateWindow(ctx context.Context, q sqlx.QueryerContext, a Account, b calendar.Billing, w calendar.Window, subs []*subscription) (*windowCharges, error) {
	wc := &windowCharges{lines: map[money.Currency][]charges.Line{}}
	var usageSubs []*subscription
	for _, s := range subs {
		for _, h := range s.held {
			if w.Contains(h.Date) {
				wc.held = append(wc.held, h)
			}
		}
		lines, held := charges.Lines(&s.Subscription, w.End) // for usage: the orders that do not fit
		if s.Kind == charges.KindUsage {
			usageSubs = append(usageSubs, s)
		}
		for _, l := range lines {
			if w.Contains(l.ActivityDate) {
				wc.lines[s.Currency] = append(wc.lines[s.Currency], l)
			}
		}
		for _, h := range held {
			if w.Contains(h.Date) {
				wc.held = append(wc.held, h)
			}
		}
	}
	if len(usageSubs) > 0 {
		if err := c.rateUsage(ctx, q, w, usageSubs, wc); err != nil {
			return nil, fmt.Errorf("rating usage of account %s for window %s: %w", a.ID, w.Start, err)
		}
	}
	return wc, nil
}

// rateUsage sums each usage subscription's events in the window, per day in
// SQL, holds the days outside its active dates and rates the rest.
func (c *catalog) rateUsage(ctx context.Context, q sqlx.QueryerContext, w calendar.Window, subs []*subscription, wc *windowCharges) error {
	ids := make([]string, len(subs))
	byID := make(map[string]*subscription, len(subs))
	for i, s := range subs {
		ids[i] = s.ID
		byID[s.ID] = s
	}
	var days []struct {
		SubscriptionID string        `db:"subscription_id"`
		Day            calendar.Date `db:"day"`
		Quantity       string        `db:"quantity"`
		Events         int64         `db:"events"`
	}
	query, from, to := billingsql.Query("usage_daily_for_window"), any(w.Start.Time()), any((w.End + 1).Time())
	if c.usageDays {
		query, from, to = billingsql.Query("usage_days_for_window"), w.Start, w.End+1
	}
	if err := sqlx.SelectContext(ctx, q, &days, query, pq.Array(ids), from, to); err != nil {
		return err
	}
	for i := 0; i < len(days); {
		s := byID[days[i].SubscriptionID]
		active, _ := charges.UsagePeriod(&s.Subscription, w.End) // its held orders are counted by rateWindow
		total := decimal.Zero
		for ; i < len(days) && days[i].SubscriptionID == s.ID; i++ {
			qty := decimal.RequireFromString(days[i].Quantity)
			if reason := charges.UsageHoldReason(active, days[i].Day); reason != "" {
				wc.held = append(wc.held, charges.Held{SubscriptionID: s.ID, Date: days[i].Day, Quantity: qty,
					Reason: fmt.Sprintf("usage (%d events) %s", days[i].Events, reason)})
				continue
			}
			total = total.Add(qty)
		}
		if total.Sign() == 0 {
			continue
		}
		line, ok := charges.UsageLine(&s.Subscription, w, total)
		if !ok {
			wc.held = append(wc.held, charges.Held{SubscriptionID: s.ID, Date: w.Start, Quantity: total,
				Reason: fmt.Sprintf("usage: no %s price for %s in effect on %s", s.Currency, s.SKU, w.Start)})
			continue
		}
		wc.lines[s.Currency] = append(wc.lines[s.Currency], line)
	}
	return nil
}
