package main

import (
	"strings"
	"testing"
)

// An import that commits while a close runs: its records carry a received_at
// from before the close, yet the close could not see them. They are late by
// visibility (SPEC §7, §12.3): reported, and billed by the rerun exactly as a
// run after the import would have billed them.
func TestRecordsCommittedDuringACloseAreReportedLateAndTheRerunBillsThem(t *testing.T) {
	t.Parallel()
	const (
		lateUsage = "INSERT INTO usage_events (event_id, subscription_id, quantity, occurred_at) VALUES ('LATE-1', 'US-1', 5000, '2026-06-20T10:00:00Z')"
		lateOrder = "INSERT INTO orders (order_id, subscription_id, customer_id, sku, action, quantity, effective_date) VALUES ('LATE-O', 'S1', 'C1', 'LIC-STD', 'addQuantity', 3, '2026-06-12')"
		asOf      = "2026-07-02T00:00:00Z"
	)
	// What a run after the import bills.
	clean := newOperator(t)
	clean.loadExamples()
	clean.db.MustExec(lateUsage)
	clean.db.MustExec(lateOrder)
	clean.billing("run", "--as-of", asOf)

	o := newOperator(t)
	o.loadExamples()
	tx := o.db.MustBegin()
	tx.MustExec(lateUsage)
	tx.MustExec(lateOrder)
	var receivedBefore bool
	report := o.billing("run", "--as-of", asOf) // the import is still open
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := o.db.Get(&receivedBefore, `SELECT bool_and(u.received_at < w.closed_at) FROM usage_events u, closed_windows w
		WHERE u.event_id = 'LATE-1' AND w.account_id = 'U1'`); err != nil || !receivedBefore {
		t.Fatalf("the late event should carry a received_at before the close (%v, %v)", receivedBefore, err)
	}
	if !strings.Contains(report, "late (waiting for billing rerun): 0") {
		t.Errorf("the close run cannot know of an import not yet committed:\n%s", report)
	}
	report = o.billing("run", "--as-of", "2026-07-03T00:00:00Z")
	for _, want := range []string{
		"late (waiting for billing rerun): 2\n",
		"    P1, anniversary window 2026-05-15: 1 orders, 0 usage events\n",
		"    U1, anniversary window 2026-06-01: 0 orders, 1 usage events\n",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("the next run should report %q:\n%s", want, report)
		}
	}
	o.billing("rerun", "--account", "U1", "--window", "2026-06-01", "--as-of", "2026-07-03T00:00:00Z")
	o.billing("rerun", "--account", "P1", "--window", "2026-05-15", "--as-of", "2026-07-03T00:00:00Z")
	if report := o.billing("run", "--as-of", "2026-07-04T00:00:00Z", "--stage", "extract"); !strings.Contains(report, "late (waiting for billing rerun): 0") {
		t.Errorf("after the reruns:\n%s", report)
	}
	for _, account := range []string{"P1", "U1"} {
		assertText(t, account+"'s net charges per window", netCharges(o, account), netCharges(clean, account))
	}
}

// netCharges sums an account's invoice lines per window, sku and charge type:
// what was billed, whether by one invoice or an original and its adjustments.
func netCharges(o *operator, account string) string {
	o.t.Helper()
	var rows []string
	if err := o.db.Select(&rows, `SELECT i.window_start || ' ' || l.sku || ' ' || l.charge_type || ' ' || sum(l.amount)
		FROM invoices i JOIN invoice_lines l ON l.invoice_number = i.number
		WHERE i.account_id = $1 GROUP BY i.window_start, l.sku, l.charge_type HAVING sum(l.amount) <> 0 ORDER BY 1`, account); err != nil {
		o.t.Fatal(err)
	}
	return strings.Join(rows, "\n")
}
