package rating_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/rating"
)

var fuzzCurrencies = []money.Currency{"USD", "JPY", "KWD"}

// A seat change's credit and rebill net to (new − old) × the same prorated
// per-unit price, whatever the day, quantities, price and currency.
func FuzzCreditAndRebillNetToTheDifference(f *testing.F) {
	f.Add(uint16(0), uint8(1), uint8(1), uint8(2), uint32(400), uint8(0))
	f.Add(uint16(30), uint8(29), uint8(5), uint8(2), uint32(999), uint8(1))
	f.Add(uint16(400), uint8(0), uint8(7), uint8(9), uint32(123457), uint8(2))
	f.Fuzz(func(t *testing.T, startOffset uint16, changeOffset, oldQty, newQty uint8, cents uint32, pick uint8) {
		if oldQty == 0 || newQty == 0 || oldQty == newQty {
			return
		}
		c := fuzzCurrencies[int(pick)%len(fuzzCurrencies)]
		unit := decimal.New(int64(cents), -c.MinorUnits())
		start := calendar.MustParseDate("2023-01-01") + calendar.Date(startOffset)
		change := start + calendar.Date(changeOffset)
		action := rating.ActionAddQuantity
		if newQty < oldQty {
			action = rating.ActionRemoveQuantity
		}
		sub := license(c, flat(unit.String()),
			rating.Order{ID: "O1", Action: rating.ActionNew, Quantity: decimal.NewFromInt(int64(oldQty)), Date: start},
			rating.Order{ID: "O2", Action: action, Quantity: decimal.NewFromInt(int64(newQty)), Date: change})
		lines, held := rating.Lines(sub, change)
		if len(held) != 0 {
			t.Fatalf("held %+v", held)
		}
		credit, rebill := lines[len(lines)-2], lines[len(lines)-1]
		_, term := calendar.TermOf(start, change)
		perUnit := rating.ProratedUnitPrice(unit, int(term.End-change)+1, term.Days(), c)
		want := perUnit.Mul(decimal.NewFromInt(int64(newQty) - int64(oldQty)))
		if net := credit.Amount.Add(rebill.Amount); !net.Equal(want) {
			t.Fatalf("credit %s + rebill %s = %s, want %s", credit.Amount, rebill.Amount, net, want)
		}
		if !credit.EffectiveUnitPrice.Equal(perUnit.Neg()) || !rebill.EffectiveUnitPrice.Equal(perUnit) {
			t.Fatalf("prices %s and %s, want ∓%s", credit.EffectiveUnitPrice, rebill.EffectiveUnitPrice, perUnit)
		}
		if !money.Round(credit.Amount, c).Equal(credit.Amount) {
			t.Fatalf("credit %s is not in whole minor units of %s", credit.Amount, c)
		}
	})
}

// A subscription that is never changed is charged price × quantity × terms.
func FuzzUnchangedSubscriptionSumsToPriceTimesQuantityTimesTerms(f *testing.F) {
	f.Add(uint16(30), uint8(3), uint32(400), uint8(11), uint8(0))
	f.Add(uint16(1490), uint8(1), uint32(1), uint8(35), uint8(1))
	f.Fuzz(func(t *testing.T, startOffset uint16, qty uint8, cents uint32, terms uint8, pick uint8) {
		if terms == 0 || terms > 60 {
			return
		}
		c := fuzzCurrencies[int(pick)%len(fuzzCurrencies)]
		unit := decimal.New(int64(cents), -c.MinorUnits())
		start := calendar.MustParseDate("2023-01-01") + calendar.Date(startOffset)
		through := calendar.Term(start, int(terms)-1).Start
		sub := license(c, flat(unit.String()), rating.Order{ID: "O1", Action: rating.ActionNew, Quantity: decimal.NewFromInt(int64(qty)), Date: start})
		lines, _ := rating.Lines(sub, through)
		if len(lines) != int(terms) {
			t.Fatalf("%d lines through %s, want %d", len(lines), through, terms)
		}
		sum := decimal.Zero
		for _, l := range lines {
			sum = sum.Add(l.Amount)
		}
		want := unit.Mul(decimal.NewFromInt(int64(qty) * int64(terms)))
		if !sum.Equal(want) {
			t.Fatalf("sum %s, want %s", sum, want)
		}
	})
}

// LinesIn builds only the lines of its period, yet gives exactly the lines
// and held records of Lines dated in it, whatever the subscription's orders,
// kind, prices (gaps and changes included) and currency.
func TestLinesInIsLinesDatedInThePeriod(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 11))
	actions := []rating.Action{rating.ActionNew, rating.ActionAddQuantity, rating.ActionRemoveQuantity, rating.ActionCancel}
	kinds := []rating.Kind{rating.KindLicense, rating.KindLicense, rating.KindOnetime, rating.KindUsage}
	base := calendar.MustParseDate("2024-01-01")
	for n := range 3000 {
		c := fuzzCurrencies[rng.IntN(len(fuzzCurrencies))]
		prices := rating.PriceSchedule{{From: base + calendar.Date(rng.IntN(400)), Price: rating.Price{Tiers: []rating.Tier{{UnitPrice: decimal.New(int64(1+rng.IntN(99999)), -c.MinorUnits())}}}}}
		if rng.IntN(2) == 0 { // a price since always, changed later
			prices = append(rating.PriceSchedule{{Always: true, Price: rating.Price{Tiers: []rating.Tier{{UnitPrice: decimal.New(int64(1+rng.IntN(99999)), -c.MinorUnits())}}}}}, prices...)
		}
		sub := license(c, prices)
		sub.Kind = kinds[rng.IntN(len(kinds))]
		for i := range 1 + rng.IntN(12) {
			action := actions[rng.IntN(len(actions))]
			if i == 0 && rng.IntN(5) > 0 {
				action = rating.ActionNew
			}
			qty := int64(1 + rng.IntN(9))
			if action == rating.ActionCancel {
				qty = 0
			}
			sub.Orders = append(sub.Orders, rating.Order{ID: fmt.Sprintf("O%02d", rng.IntN(100)), Action: action,
				Quantity: decimal.NewFromInt(qty), Date: base + calendar.Date(rng.IntN(1100))})
		}
		through := base + calendar.Date(rng.IntN(1200))
		period := calendar.Period{Start: through - calendar.Date(rng.IntN(800)), End: through}
		all, allHeld := rating.Lines(sub, through)
		var want []string
		for _, l := range all {
			if l.ActivityDate >= period.Start {
				want = append(want, fmt.Sprintf("%+v", l))
			}
		}
		for _, h := range allHeld {
			if h.Date >= period.Start {
				want = append(want, fmt.Sprintf("%+v", h))
			}
		}
		lines, held := rating.LinesIn(sub, period)
		var got []string
		for _, l := range lines {
			got = append(got, fmt.Sprintf("%+v", l))
		}
		for _, h := range held {
			got = append(got, fmt.Sprintf("%+v", h))
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("case %d, %s %s from %s through %s, orders %+v:\n%s\nwant:\n%s", n, sub.Kind, c, period.Start, through, sub.Orders,
				strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}
