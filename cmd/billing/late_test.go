package main

import (
	"strings"
	"testing"
)

// An import that commits while a close runs: its records carry a received_at
// from before the close, yet the close could not see them. They are late by
// visibility (§7, §12.3): reported, and billed by the rerun exactly as a
// run after the import would have billed them.
func TestRecordsCommittedDuringACloseAreReportedLateAndTheRerunBillsThem(t *testing.T) {
	t.Parallel()
	const (
		lateUsage = "INSERT INTO usage_events (event_id, subscription_id, quantity, occurred_at) VALUES ('LATE-1', 'US-1', 5000, '2026-06-20T10:00:00Z')"
		lateOrder = "INSERT INTO orders (order_id, subscription_id, customer_id, sku, action, quantity, effective_date) VALUES ('LATE-O', 'S1', 'C1', 'LIC-STD', 'addQuantity', 3, '2026-06-12')"
		// What an import records of the records it wrote (§7).
		imports = "INSERT INTO ingest_batches (xid, kind, first_activity, last_activity) VALUES " +
			"(pg_current_xact_id(), 'usage', '2026-06-20', '2026-06-20'), (pg_current_xact_id(), 'orders', '2026-06-12', '2026-06-12')"
		asOf = "2026-07-02T00:00:00Z"
	)
	// What a run after the import bills.
	clean := newOperator(t)
	clean.loadExamples()
	clean.db.MustExec(lateUsage)
	clean.db.MustExec(lateOrder)
	clean.db.MustExec(imports)
	clean.billing("run", "--as-of", asOf)

	o := newOperator(t)
	o.loadExamples()
	tx := o.db.MustBegin()
	tx.MustExec(lateUsage)
	tx.MustExec(lateOrder)
	tx.MustExec(imports)
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
	reportSays(t, report,
		"late (waiting for billing rerun): 2\n",
		"    P1, anniversary window 2026-05-15: 1 orders, 0 usage events\n",
		"    U1, anniversary window 2026-06-01: 0 orders, 1 usage events\n",
	)
	o.billing("rerun", "--account", "U1", "--window", "2026-06-01", "--as-of", "2026-07-03T00:00:00Z")
	o.billing("rerun", "--account", "P1", "--window", "2026-05-15", "--as-of", "2026-07-03T00:00:00Z")
	if report := o.billing("run", "--as-of", "2026-07-04T00:00:00Z", "--stage", "extract"); !strings.Contains(report, "late (waiting for billing rerun): 0") {
		t.Errorf("after the reruns:\n%s", report)
	}
	for _, account := range []string{"P1", "U1"} {
		assertText(t, account+"'s net charges per window", netCharges(o, account), netCharges(clean, account))
	}
	o.billing("verify", "--files", "full")
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

// §10: a charge whose amount no spreadsheet cell can hold fails its own
// window, which stays open; every other window closes with its files, and
// the next run neither fails more nor writes anything twice.
func TestAChargeTooLargeForACellFailsItsOwnWindowOnly(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	o.load(map[string]string{
		"accounts":  "account_id,name,country,currency,billing_day\nBIG,Bigly,US,USD,1\n",
		"customers": "customer_id,account_id,name,country,currency\nBIG-C,BIG,Bigly Buyer,US,USD\n",
		"products":  "sku,name,kind,billing\nBIG-API,Huge calls,usage,anniversary\n",
		"prices":    "sku,currency,unit_price\nBIG-API,USD,999999999.99\n",
		"orders":    ordersHeader + "BIG-O,BIG-S,BIG-C,BIG-API,new,0,2026-06-01\n",
		"usage":     "event_id,subscription_id,quantity,occurred_at\nBIG-E,BIG-S,999999999999999,2026-06-02T00:00:00Z\n",
	})
	for run := 1; run <= 2; run++ {
		code, out, errOut := billing(t, "run", "--as-of", "2026-07-02T00:00:00Z", "--database-url", o.url, "--output-dir", o.dir+"/out", "--log-level", "warn")
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		last := lines[len(lines)-1] + "\n" // the error, after the log
		if code != 1 || !strings.HasPrefix(last, "billing: run ") || !strings.HasSuffix(last, " as of 2026-07-02T00:00:00Z: close: due windows could not close (1); the first: anniversary window 2026-06-01 of account BIG: USD invoice: line 1 (subscription BIG-S): amount 999999999989999000000000.01 has more than 15 significant digits, which a spreadsheet cell cannot hold exactly\n") {
			t.Errorf("run %d: exit %d\n%s%s", run, code, out, errOut)
		}
	}
	var invoices, files, bigClosed int
	if err := o.db.QueryRow(`SELECT (SELECT count(*) FROM invoices), (SELECT count(*) FROM invoice_files),
		(SELECT count(*) FROM closed_windows WHERE account_id = 'BIG')`).Scan(&invoices, &files, &bigClosed); err != nil {
		t.Fatal(err)
	}
	if invoices != 2 || files != 6 || bigClosed != 0 {
		t.Errorf("%d invoices, %d files, %d closed windows of BIG; want 2, 6 and 0", invoices, files, bigClosed)
	}
	o.billing("verify", "--files", "full")
}

// §4: usage no window bills is held with its reason and shown in the run
// report, never dropped without a word.
func TestUsageNoWindowBillsIsHeldWithItsReason(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	o.load(map[string]string{"usage": "event_id,subscription_id,quantity,occurred_at\n" +
		"H-1,S1,5,2026-06-20T00:00:00Z\nH-2,S1,6,2026-06-21T00:00:00Z\nH-3,US-1,7,2026-01-05T00:00:00Z\n"})
	report := o.billing("run", "--as-of", "2026-07-02T00:00:00Z")
	reportSays(t, report,
		"    P1, window 2026-06-15: 2 × usage for a license subscription (only usage products bill usage)\n",
		"    U1, window 2026-01-01: 1 × usage dated before the account's first window (no order that early)\n",
	)
	o.billing("verify")
}

// §10: activity dated more than a year before it arrived is a warning.
func TestBackdatedRecordsAreAWarningInTheRunReport(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	o.billing("run", "--as-of", "2026-07-02T00:00:00Z")
	o.load(map[string]string{"orders": ordersHeader + "OLD-1,S9,C1,LIC-STD,new,1,2003-02-03\n"})
	report := o.billing("run", "--as-of", "2026-07-03T00:00:00Z", "--stage", "extract")
	reportSays(t, report, "  warning: records dated more than a year before they were received: 1\n    P1: 1 orders, the oldest dated 2003-02-03\n")
	if report := o.billing("run", "--as-of", "2026-07-03T00:00:00Z", "--stage", "extract"); strings.Contains(report, "warning") {
		t.Errorf("the warning is given once, by the run after the import:\n%s", report)
	}
}

// §12.3: usage a close held for want of its subscription's new order is
// reported late for its window once the order arrives, and the rerun bills it.
func TestUsageHeldForAMissingOrderIsLateOnceTheOrderArrives(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	o.load(map[string]string{"usage": "event_id,subscription_id,quantity,occurred_at\nW-1,US-9,300,2026-06-10T00:00:00Z\n"})
	report := o.billing("run", "--as-of", "2026-07-02T00:00:00Z")
	reportSays(t, report, "(unknown subscription), window 2026-06-01: 2 × usage for a subscription no new order has created")
	o.load(map[string]string{"orders": ordersHeader + "W-NEW,US-9,U-C1,API-CALLS,new,0,2026-06-01\n"})
	report = o.billing("run", "--as-of", "2026-07-03T00:00:00Z")
	reportSays(t, report, "    U1, anniversary window 2026-06-01: 1 orders, 1 usage events\n")
	o.billing("rerun", "--account", "U1", "--window", "2026-06-01", "--as-of", "2026-07-03T00:00:00Z")
	if report := o.billing("run", "--as-of", "2026-07-04T00:00:00Z", "--stage", "extract"); !strings.Contains(report, "late (waiting for billing rerun): 0") {
		t.Errorf("after the rerun:\n%s", report)
	}
	var billed string
	if err := o.db.Get(&billed, `SELECT coalesce(sum(CASE WHEN reversal THEN -quantity ELSE quantity END), 0)::text FROM invoice_lines WHERE subscription_id = 'US-9'`); err != nil {
		t.Fatal(err)
	}
	if billed != "300" {
		t.Errorf("US-9 billed %s units, want 300", billed)
	}
	o.billing("verify")
}

// §7, §12.3: a late seat change is late for its own window and for every
// closed window after it, whose renewals were billed at the old quantity; the
// reruns of those windows bill what a run that had the order would have.
func TestALateSeatChangeIsLateForEveryWindowItsRenewalsReach(t *testing.T) {
	t.Parallel()
	const late = "LATE-ADD,S1,C1,LIC-STD,addQuantity,5,2026-06-20\n"
	clean := newOperator(t)
	clean.loadExamples()
	clean.load(map[string]string{"orders": ordersHeader + late})
	clean.billing("run", "--as-of", "2026-08-16T00:00:00Z")

	o := newOperator(t)
	o.loadExamples()
	o.billing("run", "--as-of", "2026-08-16T00:00:00Z")
	o.load(map[string]string{"orders": ordersHeader + late})
	report := o.billing("run", "--as-of", "2026-08-17T00:00:00Z")
	reportSays(t, report,
		"    P1, anniversary window 2026-06-15: 1 orders, 0 usage events\n",
		"    P1, anniversary window 2026-07-15: 1 orders, 0 usage events\n",
	)
	if strings.Contains(report, "P1, anniversary window 2026-05-15") {
		t.Errorf("the window before the order is not late:\n%s", report)
	}
	for _, window := range []string{"2026-06-15", "2026-07-15"} {
		o.billing("rerun", "--account", "P1", "--window", window, "--as-of", "2026-08-17T00:00:00Z")
	}
	assertText(t, "P1's net charges per window", netCharges(o, "P1"), netCharges(clean, "P1"))
	o.billing("verify")
}

// reportSays checks that a run report holds each of the wanted texts.
func reportSays(t *testing.T, report string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(report, want) {
			t.Errorf("the run report should say %q:\n%s", want, report)
		}
	}
}

// §4: held usage is reported by the run after its import whatever its
// dates, and while it is dated in the open windows; usage held longer is
// not read again every night.
func TestHeldUsageIsReportedWhenItArrivesAndWhileItsWindowsAreOpen(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	const unknown = "(unknown subscription), window 2026-06-01: 1 × usage for a subscription no new order has created\n"
	reportSays(t, o.billing("run", "--as-of", "2026-07-03T00:00:00Z", "--stage", "extract"), unknown)
	if report := o.billing("run", "--as-of", "2026-09-02T00:00:00Z", "--stage", "extract"); strings.Contains(report, unknown) {
		t.Errorf("usage held since June is reported again in September:\n%s", report)
	}
	o.load(map[string]string{"usage": "event_id,subscription_id,quantity,occurred_at\nOLD-1,NO-SUCH-SUB,7,2026-05-10T10:00:00Z\n"})
	reportSays(t, o.billing("run", "--as-of", "2026-09-03T00:00:00Z", "--stage", "extract"),
		"(unknown subscription), window 2026-05-01: 1 × usage for a subscription no new order has created\n")
	if report := o.billing("run", "--as-of", "2026-09-04T00:00:00Z", "--stage", "extract"); strings.Contains(report, "window 2026-05-01") {
		t.Errorf("the May event is reported by a second run:\n%s", report)
	}
}
