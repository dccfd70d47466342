package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/events"
	"github.com/openbilling/billing/invoices"
	"github.com/openbilling/billing/store"
)

// eventModel is what a random sequence of operations did, as the command
// line printed it, to be compared with the events (§12.8, §14).
type eventModel struct {
	t     *testing.T
	o     *operator
	rng   *rand.Rand
	day   time.Time
	cards []string // ids of the cards added
	log   []string // the operations, for a failure's message
}

// currencies are the sample accounts' currencies.
var modelCurrencies = map[string][]string{"P1": {"USD"}, "U1": {"USD"}, "M1": {"EUR", "GBP", "USD"}}

// sandbox cards: one that pays, one whose first charge declines, one that
// always declines, one refused as lost (§9's card table).
var modelCards = []string{"4242424242424242", "4000000000000002", "4000000000000341", "4000000000009987"}

func (m *eventModel) pick(list []string) string { return list[m.rng.IntN(len(list))] }

// try runs a command that may be refused (nothing due, a declined card, a
// refund larger than what is left): the property holds either way. A
// mistake on the command line is the test's own and fails it.
func (m *eventModel) try(args ...string) (string, bool) {
	m.t.Helper()
	code, out, errOut := billing(m.t, append(args, "--database-url", m.o.url, "--output-dir", m.o.dir+"/out", "--log-level", "error")...)
	m.log = append(m.log, fmt.Sprintf("%s -> %d %s", strings.Join(args, " "), code, strings.TrimSpace(errOut)))
	if code == 2 {
		m.t.Fatalf("billing %s: a usage error\n%s", strings.Join(args, " "), errOut)
	}
	return out, code == 0
}

// step makes one random operation: a run some days later, a payment, a
// credit, a refund, a card added, removed or made default.
func (m *eventModel) step() {
	account := m.pick([]string{"P1", "U1", "M1"})
	currency := m.pick(modelCurrencies[account])
	switch m.rng.IntN(7) {
	case 0, 1:
		m.day = m.day.AddDate(0, 0, 3+m.rng.IntN(40))
		m.try("run", "--as-of", m.day.Format(time.RFC3339))
	case 2:
		amount := []string{"--all"}
		if m.rng.IntN(2) == 0 {
			amount = []string{"--amount", m.pick([]string{"1.00", "7.50", "30.00"})}
		}
		args := append([]string{"pay", "--account", account, "--currency", currency}, amount...)
		if m.rng.IntN(3) == 0 {
			args = append(args, "--paypal", "ap@example.com")
		} else {
			args = append(args, "--card", m.pick(modelCards), "--exp", "12/30", "--cvc", "123")
		}
		m.try(args...)
	case 3:
		m.try("credit", "--account", account, "--currency", currency, "--amount", m.pick([]string{"2.00", "25.00"}), "--reason", "goodwill")
	case 4:
		var list []invoices.Invoice
		out, _ := m.try("invoices", "--json", "--account", account)
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			m.t.Fatal(err)
		}
		list = slices.DeleteFunc(list, func(inv invoices.Invoice) bool { return inv.Type == "credit" || inv.Type == "refund" })
		if len(list) == 0 {
			return
		}
		inv := list[m.rng.IntN(len(list))]
		if m.rng.IntN(2) == 0 {
			m.try("refund", "--invoice", inv.Number, "--all", "--reason", "returned")
		} else {
			m.try("refund", "--invoice", inv.Number, "--amount", "1.00", "--reason", "returned")
		}
	case 5:
		args := []string{"payment-methods", "add", "--account", account, "--card", m.pick(modelCards), "--exp", "12/30", "--cvc", "123", "--name", "Card Holder"}
		if m.rng.IntN(2) == 0 {
			args = append(args, "--default")
		}
		if out, ok := m.try(args...); ok {
			var id string
			fmt.Sscanf(out, "card %s", &id)
			m.cards = append(m.cards, strings.TrimSuffix(id, ":"))
		}
	case 6:
		var list []store.PaymentMethod
		out, _ := m.try("payment-methods", "list", "--account", account, "--json")
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			m.t.Fatal(err)
		}
		if len(list) == 0 {
			return
		}
		card := list[m.rng.IntN(len(list))]
		m.try("payment-methods", m.pick([]string{"remove", "default"}), "--account", account, "--id", fmt.Sprint(card.ID))
	}
}

// events reads every event, a page at a time.
func (m *eventModel) events() []events.Event {
	var all []events.Event
	for after := ""; ; {
		args := []string{"events", "--json", "--limit", "1000"}
		if after != "" {
			args = append(args, "--after", after)
		}
		var page []events.Event
		if err := json.Unmarshal([]byte(m.o.billing(args...)), &page); err != nil {
			m.t.Fatal(err)
		}
		all = append(all, page...)
		if len(page) < 1000 {
			return all
		}
		after = page[len(page)-1].ID
	}
}

func TestEveryChangeHasExactlyOneEventOverRandomSequences(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			t.Parallel()
			o := newOperator(t)
			o.loadExamples()
			o.billing("import", "late-fees", filepath.Join("..", "..", "examples", "late-fees.csv"))
			m := &eventModel{t: t, o: o, rng: rand.New(rand.NewPCG(seed, 27)), day: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)}
			for range 30 {
				m.step()
			}
			m.check()
		})
	}
}

// check compares the events with what the operations left, each read the
// way an operator reads it: the invoices, payments, runs, cards and
// balances the command line prints.
func (m *eventModel) check() {
	t := m.t
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf(format+"\noperations:\n%s", append(args, strings.Join(m.log, "\n"))...)
	}
	if os.Getenv("EVENTS_MODEL_LOG") != "" {
		t.Log(strings.Join(m.log, "\n"))
	}
	if out, ok := m.try("verify"); !ok {
		fail("billing verify: %s", out)
	}
	all := m.events()
	byType := map[string]map[string][]events.Event{} // type, object: events in order
	ids := make([]string, 0, len(all))
	for _, e := range all {
		ids = append(ids, e.ID)
		var object struct {
			Number    string `json:"number"`
			PaymentID string `json:"payment_id"`
			RunID     int64  `json:"run_id"`
			ID        int64  `json:"id"`
		}
		if err := json.Unmarshal(e.Data, &object); err != nil {
			t.Fatal(err)
		}
		key := object.Number + object.PaymentID
		switch {
		case e.Type == events.RunCompleted:
			key = fmt.Sprint(object.RunID)
		case e.Type == events.PaymentMethodUpdated:
			key = fmt.Sprint(object.ID)
		}
		if byType[e.Type] == nil {
			byType[e.Type] = map[string][]events.Event{}
		}
		byType[e.Type][key] = append(byType[e.Type][key], e)
	}
	if !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != len(ids) {
		fail("event ids are not unique and in order: %v", ids)
	}
	once := func(typ string, want []string) {
		t.Helper()
		var got []string
		for key, list := range byType[typ] {
			if len(list) != 1 {
				fail("%s of %s: %d events", typ, key, len(list))
			}
			got = append(got, key)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			fail("%s events of %v, want one for each of %v", typ, got, want)
		}
	}

	// Each invoice is finalized once; each one with something to pay that
	// is paid, paid once.
	var list []invoices.Invoice
	if err := json.Unmarshal([]byte(m.o.billing("invoices", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	var numbers, paid []string
	for _, inv := range list {
		numbers = append(numbers, inv.Number)
		if inv.Status == "paid" && !strings.HasPrefix(inv.Total, "-") && strings.Trim(inv.Total, "0.") != "" {
			paid = append(paid, inv.Number)
		}
	}
	once(events.InvoiceFinalized, numbers)
	once(events.InvoicePaid, paid)

	// Each payment received once; what was paid back, told as it was.
	var payments []struct {
		ID        string `json:"payment_id"`
		AccountID string `json:"account_id"`
		Currency  string `json:"currency"`
	}
	if err := json.Unmarshal([]byte(m.o.billing("payments", "--json")), &payments); err != nil {
		t.Fatal(err)
	}
	var paymentIDs []string
	paidBack := map[string]decimal.Decimal{} // by account and currency
	for _, p := range payments {
		paymentIDs = append(paymentIDs, p.ID)
		var last string
		for _, e := range byType[events.PaymentRefunded][p.ID] {
			var v struct{ Refunded string }
			_ = json.Unmarshal(e.Data, &v)
			if last != "" && !decimal.RequireFromString(v.Refunded).GreaterThan(decimal.RequireFromString(last)) {
				fail("payment %s: refunded went from %s to %s", p.ID, last, v.Refunded)
			}
			last = v.Refunded
		}
		if last != "" {
			key := p.AccountID + " " + p.Currency
			paidBack[key] = paidBack[key].Add(decimal.RequireFromString(last))
		}
	}
	once(events.PaymentSucceeded, paymentIDs)
	for account, currencies := range modelCurrencies {
		var summary struct {
			Balances []struct {
				Currency string `json:"currency"`
				PaidBack string `json:"paid_back"`
			} `json:"balances"`
		}
		if err := json.Unmarshal([]byte(m.o.billing("summary", "--account", account, "--json")), &summary); err != nil {
			t.Fatal(err)
		}
		for _, b := range summary.Balances {
			told := paidBack[account+" "+b.Currency]
			if slices.Contains(currencies, b.Currency) && !decimal.RequireFromString(b.PaidBack).Equal(told) {
				fail("%s %s: paid back %s, the payment.refunded events tell %s", account, b.Currency, b.PaidBack, told)
			}
		}
	}

	// Each run ended once; each declined auto-charge and each late fee its
	// run counted, told once.
	var runs []struct {
		ID     int64           `json:"run_id"`
		Counts json.RawMessage `json:"counts"`
	}
	if err := json.Unmarshal([]byte(m.o.billing("runs", "--json")), &runs); err != nil {
		t.Fatal(err)
	}
	var runIDs []string
	declined, fees := 0, 0
	for _, r := range runs {
		runIDs = append(runIDs, fmt.Sprint(r.ID))
		var c struct {
			Collect struct{ Declined, HardDeclined int } `json:"collect"`
			Dunning struct {
				LateFees int `json:"late_fees"`
				Collect  struct{ Declined, HardDeclined int }
			} `json:"dunning"`
		}
		if err := json.Unmarshal(r.Counts, &c); err != nil {
			t.Fatal(err)
		}
		declined += c.Collect.Declined + c.Collect.HardDeclined + c.Dunning.Collect.Declined + c.Dunning.Collect.HardDeclined
		fees += c.Dunning.LateFees
	}
	once(events.RunCompleted, runIDs)
	failed := 0
	for _, l := range byType[events.InvoicePaymentFailed] {
		failed += len(l)
	}
	if failed != declined {
		fail("%d invoice.payment_failed events; the runs declined %d auto-charges", failed, declined)
	}
	if n := len(byType[events.InvoiceLateFeeAssessed]); n != fees {
		fail("%d invoice.late_fee_assessed events; the runs charged %d late fees", n, fees)
	}
	for key, l := range byType[events.InvoiceOverdue] {
		if len(l) != 1 {
			fail("invoice.overdue of %s: %d events", key, len(l))
		}
	}

	// Each card added has its events, the last one the card as it is now;
	// no event of a card repeats the one before it.
	var cards []string
	for id, l := range byType[events.PaymentMethodUpdated] {
		cards = append(cards, id)
		for i := 1; i < len(l); i++ {
			if shown(l[i].Data) == shown(l[i-1].Data) {
				fail("card %s: event %s tells no change from %s: %s", id, l[i].ID, l[i-1].ID, l[i].Data)
			}
		}
	}
	slices.Sort(cards)
	added := slices.Clone(m.cards)
	slices.Sort(added)
	if !slices.Equal(cards, added) {
		fail("payment_method.updated events of cards %v; cards added %v", cards, added)
	}
	current := map[string]string{}
	for account := range modelCurrencies {
		var list []store.PaymentMethod
		if err := json.Unmarshal([]byte(m.o.billing("payment-methods", "list", "--account", account, "--json")), &list); err != nil {
			t.Fatal(err)
		}
		for _, c := range list {
			b, _ := json.Marshal(c)
			current[fmt.Sprint(c.ID)] = string(b)
		}
	}
	for id, l := range byType[events.PaymentMethodUpdated] {
		last := l[len(l)-1].Data
		want, listed := current[id]
		switch {
		case listed && shown(last) != shown([]byte(want)):
			fail("card %s is %s; its last event says %s", id, want, last)
		case !listed && !strings.Contains(string(last), `"removed_at"`):
			fail("card %s is not listed; its last event %s does not say it was removed", id, last)
		}
	}
	t.Logf("%d operations, %d events: %d invoices, %d paid, %d payments, %d paid back, %d runs, %d declines, %d overdue, %d late fees, %d cards",
		len(m.log), len(all), len(numbers), len(paid), len(paymentIDs), len(byType[events.PaymentRefunded]), len(runIDs), declined,
		len(byType[events.InvoiceOverdue]), fees, len(cards))
}

// shown is a card's event data without updated_at, which moves with any
// write.
func shown(data []byte) string {
	var v map[string]any
	_ = json.Unmarshal(data, &v)
	delete(v, "updated_at")
	b, _ := json.Marshal(v)
	return string(b)
}
