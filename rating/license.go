package rating

import (
	"fmt"
	"math"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/money"
)

// Lines returns the charge lines of a subscription's orders, and of its
// renewals, whose activity date is on or before through, with the orders
// it cannot bill. Usage is rated separately (UsageLine).
func Lines(sub *Subscription, through calendar.Date) ([]Line, []Held) {
	return LinesIn(sub, calendar.Period{Start: math.MinInt32, End: through})
}

// LinesIn returns the lines and held records of Lines(sub, p.End) dated in
// p, and no others. The orders before p still replay the subscription's
// quantity, term and cancellation, but no line before p is built: a window
// of a subscription years old costs its own lines, not its history's.
func LinesIn(sub *Subscription, p calendar.Period) ([]Line, []Held) {
	var lines []Line
	var held []Held
	switch sub.Kind {
	case KindLicense:
		g := licenseGenerator{sub: sub, from: p.Start, through: p.End}
		lines, held = g.run()
	case KindOnetime:
		lines, held = onetimeLines(sub, p.End)
	default:
		_, held = UsagePeriod(sub, p.End)
	}
	return slices.DeleteFunc(lines, func(l Line) bool { return l.ActivityDate < p.Start }),
		slices.DeleteFunc(held, func(h Held) bool { return h.Date < p.Start })
}

// licenseGenerator walks a licence subscription's orders and terms (§4).
type licenseGenerator struct {
	sub     *Subscription
	from    calendar.Date // no line dated before it is built
	through calendar.Date
	lines   []Line
	held    []Held

	start     calendar.Date
	quantity  decimal.Decimal
	nextTerm  int  // the next term to renew
	cancelled bool // by the order cancelOrder
	cancelID  string

	// The last renewal's price and amount, reused while neither changes:
	// most lines are renewals of an unchanged subscription.
	lastPrice  decimal.Decimal
	lastQty    decimal.Decimal
	lastAmount decimal.Decimal
	haveLast   bool
}

func (g *licenseGenerator) run() ([]Line, []Held) {
	orders := sortOrders(g.sub.Orders)
	started := false
	for _, o := range orders {
		if o.Date > g.through {
			break
		}
		if !started {
			if o.Action != ActionNew {
				g.hold(o, fmt.Sprintf("%s before the subscription's new order", o.Action))
				continue
			}
			started = true
			g.open(o)
			continue
		}
		// Renewals due on or before the order's date come first: an order
		// on a term's first day applies after that term's renewal (§4).
		g.renewThrough(o.Date)
		switch {
		case o.Action == ActionNew:
			g.hold(o, "a second new order for a subscription already started on "+g.start.String())
		case g.cancelled:
			g.hold(o, fmt.Sprintf("%s after the subscription was cancelled by order %s", o.Action, g.cancelID))
		case o.Action == ActionAddQuantity && !o.Quantity.GreaterThan(g.quantity):
			g.hold(o, fmt.Sprintf("addQuantity to %s does not raise the quantity %s", o.Quantity, g.quantity))
		case o.Action == ActionRemoveQuantity && !o.Quantity.LessThan(g.quantity):
			g.hold(o, fmt.Sprintf("removeQuantity to %s does not lower the quantity %s", o.Quantity, g.quantity))
		default:
			g.change(o)
		}
	}
	if started {
		g.renewThrough(g.through)
	}
	return g.lines, g.held
}

// open charges the first term in full, in advance (§4 `new`).
func (g *licenseGenerator) open(o Order) {
	g.start, g.quantity, g.nextTerm = o.Date, o.Quantity, 1
	if o.Date < g.from {
		return // its line, or its hold, is before the lines asked for
	}
	price, ok := g.sub.Prices.At(o.Date)
	if !ok {
		g.hold(o, noPrice(g.sub, o.Date))
		return
	}
	term := calendar.Term(g.start, 0)
	unit := price.UnitPrice()
	g.lines = append(g.lines, g.line(o.ID, ChargeTypeNew, term, o.Date, unit, unit, o.Quantity,
		money.Round(unit.Mul(o.Quantity), g.sub.Currency)))
}

// renewThrough charges each term that starts on or before d, while the
// subscription is not cancelled.
func (g *licenseGenerator) renewThrough(d calendar.Date) {
	for !g.cancelled {
		term := calendar.Term(g.start, g.nextTerm)
		if term.Start > d {
			return
		}
		g.nextTerm++
		if term.Start < g.from {
			continue // a renewal changes nothing but the term: only its line, not built
		}
		price, ok := g.sub.Prices.At(term.Start)
		if !ok {
			g.held = append(g.held, Held{SubscriptionID: g.sub.ID, Date: term.Start, Quantity: g.quantity,
				Reason: "renewal: " + noPrice(g.sub, term.Start)})
			continue
		}
		unit := price.UnitPrice()
		if !g.haveLast || !unit.Equal(g.lastPrice) || !g.quantity.Equal(g.lastQty) {
			g.lastPrice, g.lastQty, g.haveLast = unit, g.quantity, true
			g.lastAmount = money.Round(unit.Mul(g.quantity), g.sub.Currency)
		}
		g.lines = append(g.lines, g.line("", ChargeTypeRenew, term, term.Start, unit, unit, g.quantity, g.lastAmount))
	}
}

// change applies a seat change or cancellation on day d of a term: a credit
// for the old quantity and, unless cancelling, a rebill for the new one, both
// at the per-unit price prorated over the remaining days and rounded before
// it is multiplied by the quantity (§4: 4.00 × 29/30 = 3.87, × 2 = 7.74).
func (g *licenseGenerator) change(o Order) {
	price, ok := g.sub.Prices.At(o.Date)
	if !ok {
		g.hold(o, noPrice(g.sub, o.Date))
		return
	}
	if o.Date >= g.from { // the lines before the ones asked for are not built
		g.chargeChange(o, price)
	}
	if o.Action == ActionCancel {
		g.cancelled, g.cancelID, g.quantity = true, o.ID, decimal.Zero
		return
	}
	g.quantity = o.Quantity
}

// chargeChange writes a change's credit for the quantity held until then
// and, unless it cancels, its rebill for the new one.
func (g *licenseGenerator) chargeChange(o Order, price Price) {
	_, term := calendar.TermOf(g.start, o.Date)
	remaining := int(term.End-o.Date) + 1
	unit := price.UnitPrice()
	perUnit := ProratedUnitPrice(unit, remaining, term.Days(), g.sub.Currency)
	charged := calendar.Period{Start: o.Date, End: term.End}
	ct := ChargeType(o.Action)

	credit := g.line(o.ID, ct, charged, o.Date, unit, perUnit.Neg(), g.quantity, perUnit.Neg().Mul(g.quantity))
	credit.DaysCharged, credit.TermDays = remaining, term.Days()
	g.lines = append(g.lines, credit)
	if o.Action == ActionCancel {
		return
	}
	rebill := g.line(o.ID, ct, charged, o.Date, unit, perUnit, o.Quantity, perUnit.Mul(o.Quantity))
	rebill.DaysCharged, rebill.TermDays = remaining, term.Days()
	g.lines = append(g.lines, rebill)
}

// ProratedUnitPrice is round(unitPrice × remaining / termDays) to the
// currency's minor unit, half away from zero (§4).
func ProratedUnitPrice(unitPrice decimal.Decimal, remaining, termDays int, c money.Currency) decimal.Decimal {
	if remaining == termDays {
		return money.Round(unitPrice, c)
	}
	return unitPrice.Mul(decimal.NewFromInt(int64(remaining))).DivRound(decimal.NewFromInt(int64(termDays)), c.MinorUnits())
}

func (g *licenseGenerator) line(orderID string, ct ChargeType, p calendar.Period, activity calendar.Date,
	unit, effective, qty, amount decimal.Decimal) Line {
	return Line{
		SubscriptionID: g.sub.ID, CustomerID: g.sub.CustomerID, OrderID: orderID, SKU: g.sub.SKU,
		ChargeType: ct, ChargeStart: p.Start, ChargeEnd: p.End, ActivityDate: activity,
		UnitPrice: unit, EffectiveUnitPrice: effective, Quantity: qty, Amount: amount,
	}
}

func (g *licenseGenerator) hold(o Order, reason string) {
	g.held = append(g.held, heldOrder(g.sub, o, reason))
}

func noPrice(sub *Subscription, d calendar.Date) string {
	return fmt.Sprintf("no %s price for %s in effect on %s", sub.Currency, sub.SKU, d)
}

// onetimeLines charges each new order of a one-time product once:
// unit price × quantity on the order date (§4).
func onetimeLines(sub *Subscription, through calendar.Date) ([]Line, []Held) {
	var lines []Line
	var held []Held
	for _, o := range sortOrders(sub.Orders) {
		if o.Date > through {
			break
		}
		hold := func(reason string) { held = append(held, heldOrder(sub, o, reason)) }
		if o.Action != ActionNew {
			hold(fmt.Sprintf("%s on a one-time purchase (only new orders apply)", o.Action))
			continue
		}
		price, ok := sub.Prices.At(o.Date)
		if !ok {
			hold(noPrice(sub, o.Date))
			continue
		}
		unit := price.UnitPrice()
		lines = append(lines, Line{
			SubscriptionID: sub.ID, CustomerID: sub.CustomerID, OrderID: o.ID, SKU: sub.SKU,
			ChargeType: ChargeTypeNew, ChargeStart: o.Date, ChargeEnd: o.Date, ActivityDate: o.Date,
			UnitPrice: unit, EffectiveUnitPrice: unit, Quantity: o.Quantity,
			Amount: money.Round(unit.Mul(o.Quantity), sub.Currency),
		})
	}
	return lines, held
}
