package invoicing

import (
	"strings"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/rating"
)

// AdjustmentLines are the lines of a rerun's adjustment invoice: the
// multiset difference between the recomputed lines of a window and the
// lines already invoiced for it, earlier adjustments included (§7). A
// recomputed line not invoiced is added as it is; an invoiced line no longer
// recomputed is added negated (quantity kept, amounts negated) and marked as
// a reversal. A usage line that grew from 100 to 150 units so appears twice:
// negated at 100 and at 150. No difference gives no lines.
func AdjustmentLines(invoiced, recomputed []rating.Line) []rating.Line {
	type entry struct {
		line  rating.Line
		count int // invoiced minus recomputed
	}
	entries := map[string]*entry{}
	var order []string
	count := func(l rating.Line, delta int) {
		k := identity(l)
		e, ok := entries[k]
		if !ok {
			e = &entry{line: l}
			entries[k] = e
			order = append(order, k)
		}
		e.count += delta
	}
	for _, l := range invoiced {
		if l.Reversal {
			count(negate(l), -1)
		} else {
			count(l, +1)
		}
	}
	for _, l := range recomputed {
		count(l, -1)
	}
	var out []rating.Line
	for _, k := range order {
		e := entries[k]
		for ; e.count < 0; e.count++ {
			added := e.line
			added.Reversal = false
			out = append(out, added)
		}
		for ; e.count > 0; e.count-- {
			out = append(out, negate(e.line))
		}
	}
	SortLines(out)
	return out
}

// negate flips a line between charge and reversal: quantity kept, effective
// unit price and amount negated.
func negate(l rating.Line) rating.Line {
	l.EffectiveUnitPrice = l.EffectiveUnitPrice.Neg()
	l.Amount = l.Amount.Neg()
	l.Reversal = !l.Reversal
	return l
}

// identity is what makes two lines the same line for the multiset
// difference: every field that a customer would see change. Decimals
// compare by value (5 and 5.0 are equal).
func identity(l rating.Line) string {
	return strings.Join([]string{
		l.CustomerID, l.SubscriptionID, l.OrderID, l.SKU, string(l.ChargeType),
		l.ChargeStart.String(), l.ChargeEnd.String(), l.ActivityDate.String(),
		l.UnitPrice.String(), l.EffectiveUnitPrice.String(), l.Quantity.String(), l.Amount.String(),
	}, "\x1f")
}

// AdjustmentType is the type of an adjustment invoice: recurring for an
// anniversary window, onetime for a calendar window, credit when its total
// is below zero (§7).
func AdjustmentType(inv Invoice) Type {
	return invoiceType(inv.Billing, false, inv.Total)
}

// AssembleAdjustment builds the adjustment invoice of a rerun: the original
// window, issued on the rerun's date, taxed at the original's rate.
func AssembleAdjustment(original Invoice, lines []rating.Line, issued calendar.Date) (Invoice, bool) {
	inv, ok := Assemble(original.Key, original.Window, lines, original.TaxRate, false)
	if !ok {
		return Invoice{}, false
	}
	inv.IssueDate = issued
	inv.Type = AdjustmentType(inv)
	return inv, true
}
