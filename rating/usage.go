package rating

import (
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/money"
)

// Active is the run of dates on which a usage subscription bills usage: from
// its new order's date up to the day before its cancel's date (§4).
type Active struct {
	Start calendar.Date
	End   calendar.Date // the last active day, when Ended
	Ended bool
}

// Contains reports whether usage on d is billable.
func (a Active) Contains(d calendar.Date) bool {
	return d >= a.Start && (!a.Ended || d <= a.End)
}

// UsagePeriod reads a usage subscription's active dates from its orders
// (those on or before through), with the orders that do not fit: a new
// order opens it (its quantity is ignored), a cancel closes it.
func UsagePeriod(sub *Subscription, through calendar.Date) (*Active, []Held) {
	var active *Active
	var held []Held
	for _, o := range sortOrders(sub.Orders) {
		if o.Date > through {
			break
		}
		hold := func(reason string) { held = append(held, heldOrder(sub, o, reason)) }
		switch {
		case o.Action == ActionNew && active == nil:
			active = &Active{Start: o.Date}
		case o.Action == ActionNew:
			hold("a second new order for a usage subscription started on " + active.Start.String())
		case o.Action == ActionCancel && active != nil && !active.Ended:
			active.End, active.Ended = o.Date-1, true
		case o.Action == ActionCancel && active != nil:
			hold("cancel of a usage subscription already cancelled")
		default:
			hold(fmt.Sprintf("%s on a usage subscription", o.Action))
		}
	}
	return active, held
}

// UsageHoldReason says why usage on d cannot be billed to a subscription
// with the given active dates, or "" when it can (§4).
func UsageHoldReason(active *Active, d calendar.Date) string {
	switch {
	case active == nil:
		return "no new order for the subscription"
	case d < active.Start:
		return "before the subscription's start on " + active.Start.String()
	case active.Ended && d > active.End:
		return "after the subscription ended on " + active.End.String()
	}
	return ""
}

// RateUsage prices a quantity by graduated tiers: each tier's unit price
// applies to the units above its From, up to the next tier's From. The
// amount is rounded once, at the end (§4). The detail lists each tier
// used, so a line can be checked by hand.
func RateUsage(price Price, quantity decimal.Decimal, c money.Currency) (decimal.Decimal, string) {
	total := decimal.Zero
	var detail strings.Builder
	for i, tier := range price.Tiers {
		if !quantity.GreaterThan(tier.From) {
			break
		}
		units := quantity.Sub(tier.From)
		if i+1 < len(price.Tiers) && quantity.GreaterThan(price.Tiers[i+1].From) {
			units = price.Tiers[i+1].From.Sub(tier.From)
		}
		part := units.Mul(tier.UnitPrice)
		total = total.Add(part)
		if detail.Len() > 0 {
			detail.WriteString("; ")
		}
		fmt.Fprintf(&detail, "%s × %s = %s", units, tier.UnitPrice, part)
	}
	return money.Round(total, c), detail.String()
}

// UsageLine is the line of a usage subscription for one window: the
// quantity used in it, priced by the tiers in effect on the window's first
// day, for the whole window as the service period (§4).
func UsageLine(sub *Subscription, w calendar.Window, quantity decimal.Decimal) (Line, bool) {
	price, ok := sub.Prices.At(w.Start)
	if !ok {
		return Line{}, false
	}
	amount, detail := RateUsage(price, quantity, sub.Currency)
	effective := decimal.Zero
	if quantity.Sign() > 0 {
		effective = amount.DivRound(quantity, usageEffectivePlaces)
	}
	return Line{
		SubscriptionID: sub.ID, CustomerID: sub.CustomerID, SKU: sub.SKU, ChargeType: ChargeTypeUsage,
		ChargeStart: w.Start, ChargeEnd: w.End, ActivityDate: w.Start,
		UnitPrice: price.UnitPrice(), EffectiveUnitPrice: effective, Quantity: quantity, Amount: amount,
		Detail: detail,
	}, true
}

// usageEffectivePlaces is the decimals of a usage line's effective unit
// price, the average price per unit over its tiers.
const usageEffectivePlaces = 6

// UsageEvent is one metered event, by its UTC date.
type UsageEvent struct {
	ID       string
	Date     calendar.Date
	Quantity decimal.Decimal
}

// UsageLines rates a usage subscription's events: one line per window with
// usage, events outside the active dates held with their reason. The
// pipeline sums events in SQL and calls UsageLine; this is the same rule for
// events in memory.
func UsageLines(sub *Subscription, billingDay int, events []UsageEvent, through calendar.Date) ([]Line, []Held) {
	active, held := UsagePeriod(sub, through)
	sums := map[calendar.Window]decimal.Decimal{}
	var windows []calendar.Window
	for _, e := range events {
		if reason := UsageHoldReason(active, e.Date); reason != "" {
			held = append(held, Held{SubscriptionID: sub.ID, Date: e.Date, Quantity: e.Quantity, Reason: reason})
			continue
		}
		w := calendar.WindowOf(sub.Billing, billingDay, e.Date)
		if _, seen := sums[w]; !seen {
			windows = append(windows, w)
		}
		sums[w] = sums[w].Add(e.Quantity)
	}
	sort.Slice(windows, func(i, j int) bool { return windows[i].Start < windows[j].Start })
	var lines []Line
	for _, w := range windows {
		if line, ok := UsageLine(sub, w, sums[w]); ok {
			lines = append(lines, line)
		} else {
			held = append(held, Held{SubscriptionID: sub.ID, Date: w.Start, Quantity: sums[w], Reason: "usage: " + noPrice(sub, w.Start)})
		}
	}
	return lines, held
}
