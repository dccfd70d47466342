package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/invoicing"
	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/rating"
	"github.com/openbilling/billing/store"
)

// Account is a billed party (§2) with its billing day over time.
type Account struct {
	store.Account
	// Days is the billing day over time, changes included (§7): the
	// windows follow it, never BillingDay alone.
	Days calendar.BillingDays
}

// catalog holds what every window's rating needs and changes rarely: the
// prices and tax rates. It is read once per run.
type catalog struct {
	prices map[priceKey]rating.PriceSchedule
	taxes  invoicing.TaxRates
	// usageDays names the run's table holding the span's usage summed per
	// subscription and day, when there is one (see sumUsageDays).
	usageDays string
	// version tells one reading of the prices and tax rates from another:
	// a hash of every row read.
	version string
}

// sumUsageDays sums the usage of [from, to) per subscription and UTC day
// into a table of the run, for the windows a stage is about to rate (see
// store.SumUsageDays), and returns the snapshot the sums were read in.
func (c *catalog) sumUsageDays(ctx context.Context, conn *store.Conn, runID int64, from, to calendar.Date) (string, error) {
	table, seen, err := store.SumUsageDays(ctx, conn, runID, from.Time(), to.Time())
	c.usageDays = table // dropped by dropUsageDays even when indexing failed
	if err != nil {
		return "", fmt.Errorf("summing usage from %s to %s: %w", from, to, err)
	}
	return seen, nil
}

// dropUsageDays ends what sumUsageDays began.
func (c *catalog) dropUsageDays(ctx context.Context, conn *store.Conn) {
	if c.usageDays != "" {
		store.DropUsageDays(ctx, conn, c.usageDays)
		c.usageDays = ""
	}
}

type priceKey struct {
	sku      string
	currency money.Currency
}

func loadCatalog(ctx context.Context, q store.Queryer) (*catalog, error) {
	c := &catalog{prices: map[priceKey]rating.PriceSchedule{}}
	rows, err := store.PriceTiers(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("loading prices: %w", err)
	}
	for _, r := range rows {
		k := priceKey{r.SKU, r.Currency}
		point := rating.PricePoint{Always: !r.From.Valid}
		if r.From.Valid {
			point.From = r.From.V
		}
		sched := c.prices[k]
		if n := len(sched); n == 0 || sched[n-1].Always != point.Always || sched[n-1].From != point.From {
			sched = append(sched, point)
		}
		last := &sched[len(sched)-1]
		last.Price.Tiers = append(last.Price.Tiers, rating.Tier{From: r.FromQuantity, UnitPrice: r.UnitPrice})
		c.prices[k] = sched
	}
	taxes, err := store.TaxRates(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("loading tax rates: %w", err)
	}
	h := sha256.New()
	fmt.Fprint(h, rows, taxes)
	c.version = hex.EncodeToString(h.Sum(nil))
	for _, t := range taxes {
		r := invoicing.TaxRate{Country: t.Country, Always: !t.From.Valid, Rate: t.Rate}
		if t.From.Valid {
			r.From = t.From.V
		}
		c.taxes = append(c.taxes, r)
	}
	return c, nil
}

// loadAccount reads one account; an unknown id is store.ErrNoAccount.
func loadAccount(ctx context.Context, q store.Queryer, id string) (Account, error) {
	row, found, err := store.GetAccount(ctx, q, id)
	switch {
	case err != nil:
		return Account{}, err
	case !found:
		return Account{}, fmt.Errorf("%w: %s", store.ErrNoAccount, id)
	}
	accounts := []Account{{Account: row}}
	err = withBillingDays(ctx, q, accounts, []string{id})
	return accounts[0], err
}

// loadAccounts reads every account with its billing days.
func loadAccounts(ctx context.Context, q store.Queryer) ([]Account, error) {
	return loadAccountsOf(ctx, q, nil)
}

// loadAccountsOf reads the accounts of ids (all when nil), in id order,
// with their billing days: two statements however many.
func loadAccountsOf(ctx context.Context, q store.Queryer, ids []string) ([]Account, error) {
	rows, err := store.ListAccounts(ctx, q, ids)
	if err != nil {
		return nil, fmt.Errorf("loading accounts: %w", err)
	}
	accounts := make([]Account, len(rows))
	for i, r := range rows {
		accounts[i].Account = r
	}
	return accounts, withBillingDays(ctx, q, accounts, ids)
}

// withBillingDays sets each account's billing days over time from its
// changes (of the accounts of ids, or of all when ids is nil).
func withBillingDays(ctx context.Context, q store.Queryer, accounts []Account, ids []string) error {
	changes, err := store.BillingDayChanges(ctx, q, ids)
	if err != nil {
		return fmt.Errorf("loading billing day changes: %w", err)
	}
	byAccount := map[string]*calendar.BillingDays{}
	for _, c := range changes {
		days := byAccount[c.AccountID]
		if days == nil {
			days = &calendar.BillingDays{First: c.Previous}
			byAccount[c.AccountID] = days
		}
		days.Changes = append(days.Changes, calendar.DayChange{From: c.From, Day: c.Day})
	}
	for i := range accounts {
		if days := byAccount[accounts[i].ID]; days != nil {
			accounts[i].Days = *days
		} else {
			accounts[i].Days = calendar.FixedDay(accounts[i].BillingDay)
		}
	}
	return nil
}

// subscription is a subscription of an account with its orders, read from
// the orders themselves: its customer and sku are those of its new order.
type subscription struct {
	rating.Subscription
	held []rating.Held // orders that do not belong to it
}

// accountBilling names an account's subscriptions of one billing.
type accountBilling struct {
	account string
	billing calendar.Billing
}

// loadSubscriptions reads the subscriptions of an account of one billing.
func (c *catalog) loadSubscriptions(ctx context.Context, q store.Queryer, a Account, b calendar.Billing) ([]*subscription, error) {
	subs, err := c.loadSubscriptionsOf(ctx, q, []Account{a}, []calendar.Billing{b})
	return subs[accountBilling{a.ID, b}], err
}

// loadSubscriptionsOf reads, in one query, the subscriptions of many
// accounts of one billing each (an account named twice has both read).
func (c *catalog) loadSubscriptionsOf(ctx context.Context, q store.Queryer, accounts []Account, billings []calendar.Billing) (map[accountBilling][]*subscription, error) {
	ids := make([]string, len(accounts))
	kinds := make([]string, len(accounts))
	byID := make(map[string]Account, len(accounts))
	for i, a := range accounts {
		ids[i], kinds[i] = a.ID, string(billings[i])
		byID[a.ID] = a
	}
	subs := map[accountBilling][]*subscription{}
	var group []store.OrderRow
	flush := func() {
		if len(group) > 0 {
			key := accountBilling{group[0].AccountID, group[0].Billing}
			subs[key] = append(subs[key], c.buildSubscription(byID[key.account], key.billing, group))
			group = group[:0]
		}
	}
	if err := store.StreamOrders(ctx, q, ids, kinds, func(r store.OrderRow) error {
		if len(group) > 0 && (r.SubscriptionID != group[0].SubscriptionID || r.AccountID != group[0].AccountID || r.Billing != group[0].Billing) {
			flush()
		}
		group = append(group, r)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("loading orders: %w", err)
	}
	flush()
	return subs, nil
}

// buildSubscription makes a subscription of its orders. Its customer and
// sku come from its first new order (or first order when it has none);
// an order naming another customer or sku is held.
func (c *catalog) buildSubscription(a Account, b calendar.Billing, rows []store.OrderRow) *subscription {
	owner := rows[0]
	for _, r := range rows {
		if r.Action == rating.ActionNew {
			owner = r
			break
		}
	}
	s := &subscription{Subscription: rating.Subscription{
		ID: owner.SubscriptionID, CustomerID: owner.CustomerID, SKU: owner.SKU, Kind: owner.Kind, Billing: b,
		Currency: rating.Currency(b, a.Currency, owner.CustomerCurrency),
	}}
	s.Prices = c.prices[priceKey{s.SKU, s.Currency}]
	for _, r := range rows {
		o := rating.Order{ID: r.OrderID, Action: r.Action, Quantity: r.Quantity, Date: r.EffectiveDate}
		if r.CustomerID != s.CustomerID || r.SKU != s.SKU {
			s.held = append(s.held, rating.Held{SubscriptionID: s.ID, OrderID: o.ID, Date: o.Date, Quantity: o.Quantity,
				Reason: fmt.Sprintf("order for customer %s and sku %s on a subscription of customer %s and sku %s", r.CustomerID, r.SKU, s.CustomerID, s.SKU)})
			continue
		}
		s.Orders = append(s.Orders, o)
	}
	return s
}
