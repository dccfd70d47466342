// Package synthetic writes a deterministic synthetic workload as the CSV
// files of §10: accounts, customers, products, prices, tax rates, a
// month of orders and usage. Scale 1 is 10,000 accounts, 100,000 customers,
// 1,000,000 subscriptions, 300,000 seat changes and cancellations and
// 10,000,000 usage events in June 2026; other scales scale every count.
// Later months (GenerateMonths) bring each month its own seat changes and
// cancellations, as many new subscriptions as the month before cancelled,
// and a new month of usage, so that every month is about as much work.
package synthetic

import (
	"bufio"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

// Counts are the rows written per file.
type Counts map[string]int64

// Month is the month the workload's activity falls in.
var Month = time.Date(2026, time.June, 1, 0, 0, 0, 0, time.UTC)

// AsOf is an instant by which every window holding the month's activity
// is due: what `billing run` is given to bill the month.
const AsOf = "2026-08-01T00:00:00Z"

type place struct{ country, currency string }

// Account homes span six currencies (one of them JPY); customers live in
// nine countries with their own currencies.
var (
	homes     = []place{{"US", "USD"}, {"DE", "EUR"}, {"GB", "GBP"}, {"JP", "JPY"}, {"CA", "CAD"}, {"AU", "AUD"}}
	countries = []place{{"US", "USD"}, {"DE", "EUR"}, {"FR", "EUR"}, {"GB", "GBP"}, {"JP", "JPY"}, {"CA", "CAD"}, {"AU", "AUD"}, {"CH", "CHF"}, {"IN", "INR"}}
	rates     = map[string]string{"US": "0", "DE": "0.19", "FR": "0.20", "GB": "0.20", "JP": "0.10", "CA": "0.05", "AU": "0.10", "CH": "0.081", "IN": "0.18"}
	// How many units of each currency a US dollar price is worth, in whole steps.
	factor = map[string]float64{"USD": 1, "EUR": 1, "GBP": 1, "CHF": 1, "CAD": 1.5, "AUD": 1.5, "JPY": 150, "INR": 80}
)

type product struct {
	sku, name, kind, billing string
	price                    float64 // in USD
}

var products = []product{
	{"LIC-1", "Team seat", "license", "anniversary", 12},
	{"LIC-2", "Pro seat", "license", "anniversary", 29},
	{"LIC-3", "Enterprise seat", "license", "anniversary", 59},
	{"USE-1", "API calls", "usage", "anniversary", 0.01},
	{"USE-2", "Storage GB-days", "usage", "anniversary", 0.002},
	{"CAL-1", "Marketplace app", "license", "calendar", 9},
	{"CAL-2", "Marketplace suite", "license", "calendar", 49},
	{"ONE-1", "Perpetual licence", "onetime", "calendar", 399},
	{"ONE-2", "Annual reservation", "onetime", "calendar", 1200},
}

// Generate writes the workload of scale into dir and returns the rows of
// each file. The same scale and seed always give the same files.
func Generate(dir string, scale float64, seed uint64, progress func(file string, rows int64)) (Counts, error) {
	return GenerateMonths(dir, scale, seed, 1, progress)
}

// GenerateMonths writes what Generate writes, then for each later month M
// (2 to months) orders-M.csv and usage-M.csv: imported after the month
// before was billed, and billed as of AsOfMonth(M). Billed month by month,
// the first month's files are billed as of AsOfMonth(1).
func GenerateMonths(dir string, scale float64, seed uint64, months int, progress func(file string, rows int64)) (Counts, error) {
	if scale <= 0 {
		return nil, fmt.Errorf("scale %v must be above 0", scale)
	}
	if months < 1 {
		return nil, fmt.Errorf("months %d must be at least 1", months)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	n := func(base float64) int { return max(1, int(math.Round(base*scale))) }
	g := &gen{dir: dir, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), counts: Counts{}, progress: progress,
		accounts: n(10_000), customers: n(100_000), subs: n(1_000_000), changes: n(300_000), usage: n(10_000_000)}
	for _, step := range []func() error{g.writeAccounts, g.writeCustomers, g.writeCatalog, g.writeOrders, g.writeUsage} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	for m := 1; m < months; m++ {
		if err := g.writeMonth(m); err != nil {
			return nil, err
		}
	}
	return g.counts, nil
}

// File is the file of a kind ("orders", "usage", "accounts"...) that month
// m (1 is the first) brings: the first month's files are KIND.csv, each
// later month's orders and usage KIND-M.csv.
func File(kind string, m int) string {
	if m == 1 {
		return kind + ".csv"
	}
	return fmt.Sprintf("%s-%d.csv", kind, m)
}

// AsOfMonth is the instant month m (1 is June 2026) is billed as of when
// the months are billed one after another: the 1st of the month after it,
// which closes the anniversary windows ending in month m and the calendar
// month before it, as a nightly run would by then. The windows still open
// then hold activity of the next month, whose files are imported before
// they close, so no month's activity is late.
func AsOfMonth(m int) string {
	return Month.AddDate(0, m, 0).Format(time.RFC3339)
}

type gen struct {
	dir                                       string
	rng                                       *rand.Rand
	counts                                    Counts
	progress                                  func(string, int64)
	accounts, customers, subs, changes, usage int
	subKind                                   []byte // per subscription: 'a' licence, 'u' usage, 'c' calendar licence, 'o' one-time
	subStart                                  []int8 // day of June (0-based)
	usageSubs                                 []int32
	qty                                       []int16 // per subscription: its quantity now (0 once cancelled)
	customer                                  []int32
	cancelled                                 int // subscriptions the last month written cancelled
}

// file writes one CSV file through fn, which returns the rows it wrote.
func (g *gen) file(name, header string, fn func(w *bufio.Writer) (int64, error)) error {
	f, err := os.Create(filepath.Join(g.dir, name))
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(header + "\n")
	rows, err := fn(w)
	if err == nil {
		err = w.Flush()
	}
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	g.counts[name] = rows
	if g.progress != nil {
		g.progress(name, rows)
	}
	return nil
}

func (g *gen) writeAccounts() error {
	return g.file("accounts.csv", "account_id,name,country,currency,billing_day,email", func(w *bufio.Writer) (int64, error) {
		for i := 0; i < g.accounts; i++ {
			h := homes[i%len(homes)]
			fmt.Fprintf(w, "A%06d,Account %d,%s,%s,%d,billing@a%d.example\n", i, i, h.country, h.currency, i%31+1, i)
		}
		return int64(g.accounts), nil
	})
}

func (g *gen) writeCustomers() error {
	return g.file("customers.csv", "customer_id,account_id,name,country,currency", func(w *bufio.Writer) (int64, error) {
		for j := 0; j < g.customers; j++ {
			c := countries[g.rng.IntN(len(countries))]
			fmt.Fprintf(w, "C%07d,A%06d,Customer %d,%s,%s\n", j, j%g.accounts, j, c.country, c.currency)
		}
		return int64(g.customers), nil
	})
}

func (g *gen) writeCatalog() error {
	if err := g.file("products.csv", "sku,name,kind,billing", func(w *bufio.Writer) (int64, error) {
		for _, p := range products {
			fmt.Fprintf(w, "%s,%s,%s,%s\n", p.sku, p.name, p.kind, p.billing)
		}
		return int64(len(products)), nil
	}); err != nil {
		return err
	}
	if err := g.file("prices.csv", "sku,currency,unit_price,from_quantity,effective_from", func(w *bufio.Writer) (int64, error) {
		var rows int64
		for _, p := range products {
			for _, cur := range []string{"AUD", "CAD", "CHF", "EUR", "GBP", "INR", "JPY", "USD"} {
				places := 2
				if cur == "JPY" {
					places = 0
				}
				if p.kind == "usage" {
					// Graduated tiers: cheaper past 1,000 and 10,000 units.
					for _, t := range []struct{ from, cut float64 }{{0, 1}, {1000, 0.8}, {10000, 0.5}} {
						fmt.Fprintf(w, "%s,%s,%.*f,%d,\n", p.sku, cur, places+4, p.price*factor[cur]*t.cut, int(t.from))
						rows++
					}
					continue
				}
				fmt.Fprintf(w, "%s,%s,%.*f,,\n", p.sku, cur, places, p.price*factor[cur])
				rows++
			}
		}
		return rows, nil
	}); err != nil {
		return err
	}
	if err := g.file("tax-rates.csv", "country,rate,effective_from", func(w *bufio.Writer) (int64, error) {
		for _, c := range countries {
			fmt.Fprintf(w, "%s,%s,\n", c.country, rates[c.country])
		}
		return int64(len(countries)), nil
	}); err != nil {
		return err
	}
	// A late fee of 1.5% (at least 5 of the currency's units) on what is
	// still due 14 days after the due date (§13).
	return g.file("late-fees.csv", "currency,after_days,fixed,rate,minimum,maximum,effective_from", func(w *bufio.Writer) (int64, error) {
		currencies := []string{"AUD", "CAD", "CHF", "EUR", "GBP", "INR", "JPY", "USD"}
		for _, cur := range currencies {
			places := 2
			if cur == "JPY" {
				places = 0
			}
			fmt.Fprintf(w, "%s,14,,0.015,%.*f,,\n", cur, places, 5*factor[cur])
		}
		return int64(len(currencies)), nil
	})
}

func day(d int) string { return Month.AddDate(0, 0, d).Format(time.DateOnly) }

// writeOrders writes one new order per subscription (60% anniversary
// licences, 25% metered, 10% calendar licences, 5% one-time purchases), then
// the month's seat changes and cancellations, at most one per licence.
func (g *gen) writeOrders() error {
	return g.file("orders.csv", "order_id,subscription_id,customer_id,sku,action,quantity,effective_date", func(w *bufio.Writer) (int64, error) {
		g.subKind = make([]byte, g.subs)
		g.subStart = make([]int8, g.subs)
		g.qty = make([]int16, g.subs)
		g.customer = make([]int32, g.subs)
		qty, customer := g.qty, g.customer
		var rows int64
		for k := 0; k < g.subs; k++ {
			var sku string
			switch m := k % 20; {
			case m < 12:
				g.subKind[k], sku = 'a', products[m%3].sku
			case m < 17:
				g.subKind[k], sku = 'u', products[3+m%2].sku
				g.usageSubs = append(g.usageSubs, int32(k))
			case m < 19:
				g.subKind[k], sku = 'c', products[5+m%2].sku
			default:
				g.subKind[k], sku = 'o', products[7+k%2].sku
			}
			g.subStart[k] = int8(g.rng.IntN(30))
			customer[k] = int32(g.rng.IntN(g.customers))
			switch g.subKind[k] {
			case 'u':
				qty[k] = 0
			case 'o':
				qty[k] = int16(1 + g.rng.IntN(3))
			default:
				qty[k] = int16(1 + g.rng.IntN(10))
			}
			fmt.Fprintf(w, "O%08d,S%07d,C%07d,%s,new,%d,%s\n", k, k, customer[k], sku, qty[k], day(int(g.subStart[k])))
			rows++
		}
		changed := make([]bool, g.subs)
		for c, tries := 0, 0; c < g.changes && tries < 20*g.changes; tries++ {
			k := g.rng.IntN(g.subs)
			if changed[k] || (g.subKind[k] != 'a' && g.subKind[k] != 'c') || g.subStart[k] >= 29 {
				continue
			}
			changed[k] = true
			on := int(g.subStart[k]) + 1 + g.rng.IntN(29-int(g.subStart[k]))
			action, after := "addQuantity", qty[k]+int16(1+g.rng.IntN(3))
			switch r := g.rng.IntN(10); {
			case r == 0:
				action, after = "cancel", 0
			case r < 3 && qty[k] > 1:
				action, after = "removeQuantity", qty[k]-1
			}
			fmt.Fprintf(w, "X%08d,S%07d,C%07d,%s,%s,%d,%s\n", c, k, customer[k], skuOf(g.subKind[k], k), action, after, day(on))
			g.settle(k, after)
			rows++
			c++
		}
		return rows, nil
	})
}

// settle keeps a subscription's quantity after a change, counting cancellations.
func (g *gen) settle(k int, after int16) {
	g.qty[k] = after
	if after == 0 {
		g.cancelled++
	}
}

func skuOf(kind byte, k int) string {
	m := k % 20
	switch kind {
	case 'a':
		return products[m%3].sku
	case 'u':
		return products[3+m%2].sku
	case 'c':
		return products[5+m%2].sku
	}
	return products[7+k%2].sku
}

// writeUsage writes the month's metered events: 99% for metered
// subscriptions on or after their start, some given with a UTC offset; 0.5%
// for subscriptions no order knows (held); and a second file of late events
// (0.5%), for windows the month's run will have closed.
func (g *gen) writeUsage() error {
	late := g.usage / 200
	main := g.usage - late
	if err := g.file("usage.csv", "event_id,subscription_id,quantity,occurred_at", func(w *bufio.Writer) (int64, error) {
		for id := 0; id < main; id++ {
			g.event(w, id, Month, 30, true)
			if g.progress != nil && id%1_000_000 == 999_999 {
				g.progress("usage.csv", int64(id+1))
			}
		}
		return int64(main), nil
	}); err != nil {
		return err
	}
	return g.file("usage-late.csv", "event_id,subscription_id,quantity,occurred_at", func(w *bufio.Writer) (int64, error) {
		for id := main; id < g.usage; id++ {
			g.event(w, id, Month, 30, true)
		}
		return int64(late), nil
	})
}

// event writes one metered event of the month from (days long): one in 200
// for a subscription no order knows, the others for a metered subscription,
// in the first month on or after its start.
func (g *gen) event(w *bufio.Writer, id int, from time.Time, days int, first bool) {
	if (id%200 == 7 && g.usage >= 200) || len(g.usageSubs) == 0 {
		sec := g.rng.IntN(days * 86400)
		fmt.Fprintf(w, "E%09d,S-UNKNOWN-%d,%d,%s\n", id, g.rng.IntN(1000), 1+g.rng.IntN(50), from.Add(time.Duration(sec)*time.Second).Format(time.RFC3339))
		return
	}
	k := int(g.usageSubs[g.rng.IntN(len(g.usageSubs))])
	start := 0
	if first {
		start = int(g.subStart[k])
	}
	sec := start*86400 + g.rng.IntN((days-start)*86400)
	at := from.Add(time.Duration(sec) * time.Second)
	stamp := at.Format(time.RFC3339)
	if id%10 == 3 {
		stamp = at.In(time.FixedZone("", 2*3600)).Format(time.RFC3339)
	}
	qty := 1 + g.rng.IntN(100)
	if id%4 == 0 {
		fmt.Fprintf(w, "E%09d,S%07d,%d.%d,%s\n", id, k, qty, g.rng.IntN(10), stamp)
		return
	}
	fmt.Fprintf(w, "E%09d,S%07d,%d,%s\n", id, k, qty, stamp)
}

// writeMonth writes month m's files (m = 1 is the second month): as many
// new licences as the month before cancelled, seat changes and
// cancellations of licences still running (at most one each, none of the
// month's new ones), and the month's usage with event ids of its own.
func (g *gen) writeMonth(m int) error {
	from := Month.AddDate(0, m, 0)
	days := from.AddDate(0, 1, -1).Day()
	on := func(d int) string { return from.AddDate(0, 0, d).Format(time.DateOnly) }
	if err := g.file(File("orders", m+1), "order_id,subscription_id,customer_id,sku,action,quantity,effective_date", func(w *bufio.Writer) (int64, error) {
		var rows int64
		firstNew, added := len(g.subKind), g.cancelled
		g.cancelled = 0
		for k := firstNew; k < firstNew+added; k++ {
			kind := byte('a')
			if g.rng.IntN(6) == 0 {
				kind = 'c'
			}
			start, c, q := g.rng.IntN(days), int32(g.rng.IntN(g.customers)), int16(1+g.rng.IntN(10))
			g.subKind, g.subStart, g.customer, g.qty = append(g.subKind, kind), append(g.subStart, int8(start)), append(g.customer, c), append(g.qty, q)
			fmt.Fprintf(w, "O%08d,S%07d,C%07d,%s,new,%d,%s\n", k, k, c, skuOf(kind, k), q, on(start))
			rows++
		}
		changed := make(map[int]bool, g.changes)
		for c, tries := 0, 0; c < g.changes && tries < 20*g.changes; tries++ {
			k := g.rng.IntN(firstNew)
			if changed[k] || (g.subKind[k] != 'a' && g.subKind[k] != 'c') || g.qty[k] == 0 {
				continue
			}
			changed[k] = true
			action, after := "addQuantity", g.qty[k]+int16(1+g.rng.IntN(3))
			switch r := g.rng.IntN(10); {
			case r == 0:
				action, after = "cancel", 0
			case r < 3 && g.qty[k] > 1:
				action, after = "removeQuantity", g.qty[k]-1
			}
			fmt.Fprintf(w, "M%02dX%08d,S%07d,C%07d,%s,%s,%d,%s\n", m+1, c, k, g.customer[k], skuOf(g.subKind[k], k), action, after, on(g.rng.IntN(days)))
			g.settle(k, after)
			rows++
			c++
		}
		return rows, nil
	}); err != nil {
		return err
	}
	events := g.usage - g.usage/200
	name := File("usage", m+1)
	return g.file(name, "event_id,subscription_id,quantity,occurred_at", func(w *bufio.Writer) (int64, error) {
		for i := 0; i < events; i++ {
			g.event(w, m*g.usage+i, from, days, false)
			if g.progress != nil && i%1_000_000 == 999_999 {
				g.progress(name, int64(i+1))
			}
		}
		return int64(events), nil
	})
}
