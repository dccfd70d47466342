package main

import (
	"os"
	"strings"
	"testing"
)

// billing verify passes on a clean history and names every breach, one per
// line, after each guarantee of §12 is broken behind the product's back.
func TestVerifyFindsEachBrokenGuarantee(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	o.billing("run", "--as-of", "2026-07-08T00:00:00Z")
	if out := o.billing("verify", "--files", "full"); !strings.HasPrefix(out, "16 checks, 15 files (full), 0 breaches, ") { // then the seconds
		t.Errorf("clean verify: %q", out)
	}
	files := o.invoice("INV-2026-000005").Files
	if err := os.Remove(files.Reconciliation); err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(files.Invoice)
	if err != nil {
		t.Fatal(err)
	}
	doc[len(doc)/2] ^= 0xff // same size, other bytes
	if err := os.WriteFile(files.Invoice, doc, 0o640); err != nil {
		t.Fatal(err)
	}
	tamper := o.db.MustBegin()
	for _, q := range []string{
		"SET LOCAL session_replication_role = replica", // past the triggers that keep invoices final
		"UPDATE invoices SET total = total + 1, subtotal = subtotal + 1 WHERE number = 'INV-2026-000001'",
		"DELETE FROM invoice_lines WHERE invoice_number = 'INV-2026-000002' AND charge_type = 'usage'",
		"DELETE FROM invoice_lines WHERE invoice_number = 'INV-2026-000001' AND order_id = 'O-1002'",
		"UPDATE invoice_series SET last_seq = last_seq + 1",
		"INSERT INTO closed_windows (account_id, billing, window_start, window_end, closes_on) VALUES ('P1', 'anniversary', '2026-06-01', '2026-06-30', '2026-07-01')",
		"INSERT INTO payments (payment_id, account_id, currency, amount, method, gateway_reference, paid_at) VALUES ('PAY-X', 'P1', 'USD', 1, 'paypal', 'r', now())",
		// A first activity moved, as if recorded by hand.
		"UPDATE first_activity SET first_date = '2026-04-01' WHERE account_id = 'U1' AND billing = 'anniversary'",
		// An invoice due dropped from the open items the collect stage reads.
		"DELETE FROM ledger_open_items WHERE kind = 'invoice' AND key = 'INV-2026-000003'",
		// Records written past an import: in no recorded import, and of an unknown customer.
		"INSERT INTO orders (order_id, subscription_id, customer_id, sku, action, quantity, effective_date) VALUES ('O-X', 'S-X', 'C-NONE', 'LIC-STD', 'new', 1, '2026-09-01')",
		// A run's event lost, an invoice's written twice.
		"DELETE FROM events WHERE type = 'run.completed'",
		"INSERT INTO events (seq, type, account_id, object_id, created, facts) SELECT 99, type, account_id, object_id, created, facts FROM events WHERE object_id = 'INV-2026-000004'",
		// An endpoint given another account's event, and not given one it takes.
		"INSERT INTO webhook_endpoints (endpoint_id, url, account_id, event_types, after_seq) VALUES ('we_p1', 'https://example.com/', 'P1', '{invoice.finalized}', 0)",
		"INSERT INTO webhook_deliveries (endpoint_id, event_seq, reason) SELECT 'we_p1', seq, 'event' FROM events WHERE object_id = 'INV-2026-000003'",
		"UPDATE webhook_fanout SET through_seq = 99",
	} {
		tamper.MustExec(q)
	}
	if err := tamper.Commit(); err != nil {
		t.Fatal(err)
	}
	var xid string
	if err := o.db.Get(&xid, "SELECT ingest_xid::text FROM orders WHERE order_id = 'O-X'"); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := billing(t, "verify", "--files", "full", "--database-url", o.url)
	out = strings.Replace(out, "transaction "+xid+" ", "transaction XID ", 1)
	want := strings.Join([]string{
		"§12.1 series INV-2026: 5 invoices numbered up to 5 (counter at 6)",
		"§12.1 account P1: anniversary windows 2026-05-15..2026-06-14 and 2026-06-01..2026-06-30 overlap",
		"§12.2 invoice INV-2026-000001: subtotal 25, tax 0, total 25 but its 10 lines sum to 20.00, 0, 20.00",
		"§12.2 invoice INV-2026-000002: subtotal 92.35, tax 0, total 92.35 but its 0 lines sum to 0, 0, 0",
		"§12.3 account U1, anniversary window 2026-06-01, subscription US-1: 0 units billed, 12070 used",
		"§12.3 order O-1002 (addQuantity of S1 on 2026-06-11) of account P1 is on no invoice line of anniversary window 2026-05-15",
		"§12.3 1 orders records of transaction XID dated 2026-09-01..2026-09-01 are in no recorded import",
		"§12.3 account U1: first anniversary activity recorded as 2026-04-01, its orders give 2026-06-01",
		"§12.3 order O-X names the unknown customer C-NONE",
		"§12.5 invoice INV-2026-000001 of 25 USD has 1 ledger entries of 24",
		"§12.5 invoice INV-2026-000003 of account M1 has something open but is not an open item",
		"§12.5 payment PAY-X has 0 ledger entries and 0 succeeded gateway calls",
		"§12.8 invoice.finalized of INV-2026-000004: 2 events for 1 changes",
		"§12.8 invoice.paid of INV-2026-000003: 0 events for 1 changes", // its open item gone
		"§12.8 payment.succeeded of PAY-X: 0 events for 1 changes",
		"§12.8 run.completed of 1: 0 events for 1 changes",
		"§12.8 endpoint we_p1 has a delivery of event 3 (invoice.finalized of M1), which it does not take",
		"§12.8 event 1 (invoice.finalized) was never delivered to endpoint we_p1",
		"§12.4 invoice INV-2026-000005, reconciliation file " + files.Reconciliation + ": missing",
		"§12.4 invoice INV-2026-000005, invoice file " + files.Invoice + ": SHA-256 ",
	}, "\n")
	if code != 1 || !strings.HasPrefix(out, want) || errOut != "billing: verify: 20 breaches of the guarantees (§12)\n" {
		t.Errorf("verify: exit %d\n%s%s\nwant:\n%s", code, out, errOut, want)
	}
}
