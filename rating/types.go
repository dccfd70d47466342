// Package rating turns a subscription's orders and usage into charge lines
// (§4): new, renewal, seat changes prorated by the day, cancellations,
// one-time purchases and usage rated by graduated tiers. It is pure: no
// database, no clock, no files.
package rating

import (
	"sort"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/money"
)

// Kind is a product's kind (§2).
type Kind string

// The product kinds.
const (
	KindLicense Kind = "license"
	KindUsage   Kind = "usage"
	KindOnetime Kind = "onetime"
)

// Action is what an order does to its subscription.
type Action string

// The order actions.
const (
	ActionNew            Action = "new"
	ActionAddQuantity    Action = "addQuantity"
	ActionRemoveQuantity Action = "removeQuantity"
	ActionCancel         Action = "cancel"
)

// ChargeType says why a line charges or credits (§2, §10).
type ChargeType string

// The charge types.
const (
	ChargeTypeNew            ChargeType = "new"
	ChargeTypeRenew          ChargeType = "renew"
	ChargeTypeAddQuantity    ChargeType = "addQuantity"
	ChargeTypeRemoveQuantity ChargeType = "removeQuantity"
	ChargeTypeCancel         ChargeType = "cancel"
	ChargeTypeUsage          ChargeType = "usage"
	ChargeTypeCredit         ChargeType = "credit"
	ChargeTypeRefund         ChargeType = "refund"
	ChargeTypeLateFee        ChargeType = "lateFee" // a late fee on an overdue invoice (§13)
)

// Order is an event on a subscription: its quantity is the subscription's
// quantity after the event.
type Order struct {
	ID       string
	Action   Action
	Quantity decimal.Decimal
	Date     calendar.Date // effective date
}

// Tier is one step of a graduated price: UnitPrice applies to the units above From.
type Tier struct {
	From      decimal.Decimal
	UnitPrice decimal.Decimal
}

// Price is a sku's price in one currency: one tier for a flat price, several
// for graduated usage pricing, ordered by From with the first From at 0.
type Price struct {
	Tiers []Tier
}

// UnitPrice is the price of the first unit.
func (p Price) UnitPrice() decimal.Decimal { return p.Tiers[0].UnitPrice }

// PricePoint is a price in effect from a date on; From 0 with Always set
// means "since always".
type PricePoint struct {
	From   calendar.Date
	Always bool
	Price  Price
}

// PriceSchedule is a sku's prices in one currency over time.
type PriceSchedule []PricePoint

// At returns the price in effect on d: the point with the latest start on
// or before d (§2).
func (s PriceSchedule) At(d calendar.Date) (Price, bool) {
	best := -1
	for i, p := range s {
		if (p.Always || p.From <= d) && (best < 0 || later(p, s[best])) {
			best = i
		}
	}
	if best < 0 {
		return Price{}, false
	}
	return s[best].Price, true
}

func later(a, b PricePoint) bool {
	if a.Always {
		return false
	}
	return b.Always || a.From > b.From
}

// Subscription is what the charge rules need to know of a subscription.
type Subscription struct {
	ID         string
	CustomerID string
	SKU        string
	Kind       Kind
	Billing    calendar.Billing
	Currency   money.Currency // the currency it is priced and invoiced in (see Currency)
	Prices     PriceSchedule  // the sku's prices in Currency
	Orders     []Order        // in any order
}

// Currency is the currency a charge is priced and invoiced in (§2):
// the account's for anniversary billing, the customer's for calendar billing.
func Currency(b calendar.Billing, account, customer money.Currency) money.Currency {
	if b == calendar.BillingCalendar {
		return customer
	}
	return account
}

// Line is one charge or credit. Its column tags name the stored line's
// columns, which the store reads it back from.
type Line struct {
	SubscriptionID     string
	CustomerID         string
	OrderID            string // empty for renewals and usage
	SKU                string
	ChargeType         ChargeType
	ChargeStart        calendar.Date
	ChargeEnd          calendar.Date
	ActivityDate       calendar.Date // the date that places the line in a window (§3)
	UnitPrice          decimal.Decimal
	EffectiveUnitPrice decimal.Decimal
	Quantity           decimal.Decimal
	Amount             decimal.Decimal
	DaysCharged        int    // prorated lines: the days of the term charged or credited
	TermDays           int    // prorated lines: the days of the term
	Detail             string // usage lines: the tier breakdown
	Reversal           bool   // an adjustment's line that takes back an invoiced line (§7)
}

// IsCredit reports whether the line gives money back.
func (l Line) IsCredit() bool { return l.EffectiveUnitPrice.Sign() < 0 }

// Held is an order or usage that cannot be billed yet, with the reason. It is
// never dropped: it is billed once the reason is fixed (§4).
type Held struct {
	SubscriptionID string
	OrderID        string        // set for a held order
	Date           calendar.Date // its activity date
	Quantity       decimal.Decimal
	Reason         string
}

// heldOrder holds an order of sub with its reason.
func heldOrder(sub *Subscription, o Order, reason string) Held {
	return Held{SubscriptionID: sub.ID, OrderID: o.ID, Date: o.Date, Quantity: o.Quantity, Reason: reason}
}

// sortOrders puts orders in the order they apply: by effective date, then
// order id (§4).
func sortOrders(orders []Order) []Order {
	sorted := append([]Order(nil), orders...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Date != sorted[j].Date {
			return sorted[i].Date < sorted[j].Date
		}
		return sorted[i].ID < sorted[j].ID
	})
	return sorted
}
