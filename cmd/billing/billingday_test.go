package main

import (
	"strings"
	"testing"
)

// §7: a billing day changed after some windows closed bills every
// charge once: the lines are those of an account that never changed its
// day, only spread over other windows, the first new one a transition.
func TestChangingTheBillingDayBillsNoChargeTwiceAndSkipsNone(t *testing.T) {
	t.Parallel()
	const end = "2026-11-02T00:00:00Z"
	clean := newOperator(t)
	clean.loadExamples()
	clean.billing("run", "--as-of", end)

	o := newOperator(t)
	o.loadExamples()
	o.billing("run", "--as-of", "2026-07-16T00:00:00Z")
	out := o.billing("account", "set-billing-day", "--account", "P1", "--day", "1")
	if want := "account P1: billing day 1 (was 15) from 2026-07-15; transition window 2026-07-15 to 2026-07-31, invoiced 2026-08-01\n"; out != want {
		t.Errorf("set-billing-day printed %q, want %q", out, want)
	}
	o.billing("run", "--as-of", end)

	var windows []string
	if err := o.db.Select(&windows, `SELECT window_start || '..' || window_end || ' closes ' || closes_on FROM closed_windows
		WHERE account_id = 'P1' AND billing = 'anniversary' ORDER BY window_start`); err != nil {
		t.Fatal(err)
	}
	assertText(t, "P1's closed windows", strings.Join(windows, "\n"), strings.Join([]string{
		"2026-05-15..2026-06-14 closes 2026-06-15",
		"2026-06-15..2026-07-14 closes 2026-07-15",
		"2026-07-15..2026-07-31 closes 2026-08-01",
		"2026-08-01..2026-08-31 closes 2026-09-01",
		"2026-09-01..2026-09-30 closes 2026-10-01",
		"2026-10-01..2026-10-31 closes 2026-11-01",
	}, "\n"))
	charges := func(o *operator) string {
		var rows []string
		if err := o.db.Select(&rows, `SELECT l.subscription_id || ' ' || coalesce(l.order_id, '-') || ' ' || l.charge_type || ' ' || l.charge_start
			|| '..' || l.charge_end || ' ' || l.effective_unit_price || '×' || l.quantity || '=' || l.amount
			FROM invoices i JOIN invoice_lines l ON l.invoice_number = i.number WHERE i.account_id = 'P1' ORDER BY 1`); err != nil {
			t.Fatal(err)
		}
		return strings.Join(rows, "\n")
	}
	o.billing("verify", "--files", "full")
	got, want := charges(o), charges(clean)
	assertText(t, "P1's charges with and without the change", got, want)
	if n := strings.Count(want, "\n") + 1; n < 20 {
		t.Errorf("only %d charges: the comparison proves little", n)
	}
	// The day is the account's from now on, and a second change waits for
	// the last closed window again.
	out = o.billing("account", "set-billing-day", "--account", "P1", "--day", "20")
	if want := "account P1: billing day 20 (was 1) from 2026-11-01; transition window 2026-11-01 to 2026-11-19, invoiced 2026-11-20\n"; out != want {
		t.Errorf("second change printed %q, want %q", out, want)
	}
}
