package main

import (
	"strings"
	"testing"
)

const (
	usd4Catalog  = "sku,name,kind,billing\nLIC,Seat,license,anniversary\n"
	usd4Prices   = "sku,currency,unit_price\nLIC,USD,4.00\n"
	p1Account    = "account_id,name,country,currency,billing_day\nP1,Pinewood,US,USD,15\n"
	ordersHeader = "order_id,subscription_id,customer_id,sku,action,quantity,effective_date\n"
)

// p1 is an account with billing day 15 and one customer, as §4.1's
// examples, with the given orders.
func p1(customer, orders string) map[string]string {
	return map[string]string{
		"accounts":  p1Account,
		"customers": "customer_id,account_id,name,country,currency\nC1,P1," + customer + ",US,USD\n",
		"products":  usd4Catalog,
		"prices":    usd4Prices,
		"orders":    ordersHeader + orders,
	}
}

// §4.1's second scenario alone, in 2019 as §10's example: the JSON
// contract exactly, files null before the emit stage.
func TestScenarioTwoMatchesTheJSONContract(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	data := p1("Birch Labs", "O1,S1,C1,LIC,new,1,2019-06-11\nO2,S1,C1,LIC,addQuantity,2,2019-06-12\n")
	data["tax-rates"] = "country,rate\nUS,0\n"
	o.load(data)
	o.billing("run", "--as-of", "2019-06-15T00:00:00Z", "--stage", "extract")
	o.billing("run", "--as-of", "2019-06-15T00:00:00Z", "--stage", "close")
	got := o.billing("invoice", "INV-2019-000001", "--json")
	want := `{
  "number": "INV-2019-000001",
  "account_id": "P1",
  "type": "new",
  "billing": "anniversary",
  "currency": "USD",
  "window_start": "2019-05-15",
  "window_end": "2019-06-14",
  "issue_date": "2019-06-15",
  "subtotal": "7.87",
  "tax": "0.00",
  "total": "7.87",
  "adjusts": null,
  "amount_due": "7.87",
  "payment_status": "open",
  "due_date": "2019-07-15",
  "files": null,
  "lines": [
    {
      "customer_id": "C1",
      "subscription_id": "S1",
      "order_id": "O1",
      "sku": "LIC",
      "charge_type": "new",
      "charge_start": "2019-06-11",
      "charge_end": "2019-07-10",
      "unit_price": "4.00",
      "effective_unit_price": "4.00",
      "quantity": "1",
      "amount": "4.00",
      "tax": "0.00",
      "total": "4.00"
    },
    {
      "customer_id": "C1",
      "subscription_id": "S1",
      "order_id": "O2",
      "sku": "LIC",
      "charge_type": "addQuantity",
      "charge_start": "2019-06-12",
      "charge_end": "2019-07-10",
      "unit_price": "4.00",
      "effective_unit_price": "-3.87",
      "quantity": "1",
      "amount": "-3.87",
      "tax": "0.00",
      "total": "-3.87"
    },
    {
      "customer_id": "C1",
      "subscription_id": "S1",
      "order_id": "O2",
      "sku": "LIC",
      "charge_type": "addQuantity",
      "charge_start": "2019-06-12",
      "charge_end": "2019-07-10",
      "unit_price": "4.00",
      "effective_unit_price": "3.87",
      "quantity": "2",
      "amount": "7.74",
      "tax": "0.00",
      "total": "7.74"
    }
  ]
}
`
	assertText(t, "invoice JSON", got, want)
}

func TestTheSampleDataBillsSpecScenariosCalendarCurrenciesAndUsage(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	o.billing("run", "--as-of", "2026-07-07T23:59:59Z")
	before8th := summary(o.invoices(""))
	assertText(t, "invoices before July 8", before8th, strings.Join([]string{
		"INV-2026-000001 P1 new anniversary USD 2026-05-15–2026-06-14 issued 2026-06-15 24.00+0.00=24.00 adjusts -",
		"INV-2026-000002 U1 new anniversary USD 2026-06-01–2026-06-30 issued 2026-07-01 92.35+0.00=92.35 adjusts -",
	}, "\n"))
	o.billing("run", "--as-of", "2026-07-08T00:00:00Z")
	assertText(t, "invoices on July 8", summary(o.invoices("M1")), strings.Join([]string{
		"INV-2026-000003 M1 onetime calendar EUR 2026-06-01–2026-06-30 issued 2026-07-08 27.00+5.40=32.40 adjusts -",
		"INV-2026-000004 M1 onetime calendar GBP 2026-06-01–2026-06-30 issued 2026-07-08 16.00+3.20=19.20 adjusts -",
		"INV-2026-000005 M1 onetime calendar USD 2026-06-01–2026-06-30 issued 2026-07-08 140.00+28.00=168.00 adjusts -",
	}, "\n"))
	assertText(t, "§4.1's four scenarios", lineSummary(o.invoice("INV-2026-000001")), strings.Join([]string{
		"C1 O-1001 2026-06-11–2026-07-10 4.00×1=4.00 tax 0.00 new",
		"C1 O-1002 2026-06-11–2026-07-10 -4.00×1=-4.00 tax 0.00 addQuantity",
		"C1 O-1002 2026-06-11–2026-07-10 4.00×2=8.00 tax 0.00 addQuantity",
		"C2 O-2001 2026-06-11–2026-07-10 4.00×1=4.00 tax 0.00 new",
		"C3 O-3001 2026-06-11–2026-07-10 4.00×2=8.00 tax 0.00 new",
		"C3 O-3002 2026-06-11–2026-07-10 -4.00×2=-8.00 tax 0.00 removeQuantity",
		"C3 O-3002 2026-06-11–2026-07-10 4.00×1=4.00 tax 0.00 removeQuantity",
		"C4 O-4001 2026-06-11–2026-07-10 4.00×2=8.00 tax 0.00 new",
		"C2 O-2002 2026-06-12–2026-07-10 -3.87×1=-3.87 tax 0.00 addQuantity",
		"C2 O-2002 2026-06-12–2026-07-10 3.87×2=7.74 tax 0.00 addQuantity",
		"C4 O-4002 2026-06-12–2026-07-10 -3.87×2=-7.74 tax 0.00 removeQuantity",
		"C4 O-4002 2026-06-12–2026-07-10 3.87×1=3.87 tax 0.00 removeQuantity",
	}, "\n"))
	assertText(t, "the USD calendar invoice", lineSummary(o.invoice("INV-2026-000005")), strings.Join([]string{
		"M-US O-5003 2026-06-10–2026-07-09 10.00×1=10.00 tax 2.00 new",
		"M-US O-5004 2026-06-20–2026-06-20 130.00×1=130.00 tax 26.00 new",
	}, "\n"))
	// Usage at the window's edges given with offsets: 2026-07-01T01:30+02:00
	// is June 30 in UTC and billed in June; 2026-06-30T22:30-02:00 is July 1.
	june := o.invoice("INV-2026-000002")
	assertText(t, "June usage", lineSummary(june), "U-C1 - 2026-06-01–2026-06-30 0.007651×12070=92.35 tax 0.00 usage")
	o.billing("run", "--as-of", "2026-08-01T00:00:00Z")
	july := o.invoices("U1")
	if len(july) != 2 {
		t.Fatalf("U1 invoices:\n%s", summary(july))
	}
	assertText(t, "July usage", lineSummary(o.invoice(july[1].Number)), "U-C1 - 2026-07-01–2026-07-31 0.01×75=0.75 tax 0.00 usage")
	// Running again for the same instant issues nothing new.
	all := summary(o.invoices(""))
	out := o.billing("run", "--as-of", "2026-08-01T00:00:00Z")
	if !strings.Contains(out, "invoices issued:       0") || summary(o.invoices("")) != all {
		t.Errorf("a second run changed the invoices:\n%s", out)
	}
}

func TestCatchUpClosesEveryMissedWindowOldestFirst(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.load(map[string]string{
		"accounts":  "account_id,name,country,currency,billing_day\nA31,Last Day Ltd,GB,GBP,31\n",
		"customers": "customer_id,account_id,name,country,currency\nC1,A31,Buyer,GB,GBP\n",
		"products":  usd4Catalog,
		"prices":    "sku,currency,unit_price\nLIC,GBP,10.00\n",
		"tax-rates": "country,rate\nGB,0.20\n",
		"orders":    ordersHeader + "O1,S1,C1,LIC,new,3,2024-01-31\n",
	})
	out := o.billing("run", "--as-of", "2024-06-01T06:00:00Z")
	if !strings.Contains(out, "windows closed:        4") {
		t.Errorf("run report:\n%s", out)
	}
	assertText(t, "catch-up invoices", summary(o.invoices("")), strings.Join([]string{
		"INV-2024-000001 A31 new anniversary GBP 2024-01-31–2024-02-28 issued 2024-02-29 30.00+6.00=36.00 adjusts -",
		"INV-2024-000002 A31 recurring anniversary GBP 2024-02-29–2024-03-30 issued 2024-03-31 30.00+6.00=36.00 adjusts -",
		"INV-2024-000003 A31 recurring anniversary GBP 2024-03-31–2024-04-29 issued 2024-04-30 30.00+6.00=36.00 adjusts -",
		"INV-2024-000004 A31 recurring anniversary GBP 2024-04-30–2024-05-30 issued 2024-05-31 30.00+6.00=36.00 adjusts -",
	}, "\n"))
	assertText(t, "the first window: the new order", lineSummary(o.invoice("INV-2024-000001")),
		"C1 O1 2024-01-31–2024-02-28 10.00×3=30.00 tax 6.00 new")
	assertText(t, "the second window: the renewal on the clamped day", lineSummary(o.invoice("INV-2024-000002")),
		"C1 - 2024-02-29–2024-03-30 10.00×3=30.00 tax 6.00 renew")
}

func TestAWindowBelowZeroIsACreditInvoice(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.load(p1("Buyer", "O1,S1,C1,LIC,new,10,2026-05-20\nO2,S1,C1,LIC,cancel,0,2026-06-16\n"))
	out := o.billing("run", "--as-of", "2026-07-15T00:00:00Z")
	assertText(t, "invoices", summary(o.invoices("")), strings.Join([]string{
		"INV-2026-000001 P1 new anniversary USD 2026-05-15–2026-06-14 issued 2026-06-15 40.00+0.00=40.00 adjusts -",
		"INV-2026-000002 P1 credit anniversary USD 2026-06-15–2026-07-14 issued 2026-07-15 -5.20+0.00=-5.20 adjusts -",
	}, "\n"))
	assertText(t, "the credit", lineSummary(o.invoice("INV-2026-000002")), "C1 O2 2026-06-16–2026-06-19 -0.52×10=-5.20 tax 0.00 cancel")
	if !strings.Contains(out, "taxed at zero (no rate for the country): US") {
		t.Errorf("the report does not say US has no tax rate:\n%s", out)
	}
}

func TestLateUsageWaitsForARerunThatIssuesOneAdjustment(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	o.billing("run", "--as-of", "2026-07-02T00:00:00Z")
	o.load(map[string]string{"usage": "event_id,subscription_id,quantity,occurred_at\nLATE-1,US-1,5000,2026-06-20T10:00:00+09:00\n"})
	report := o.billing("run", "--as-of", "2026-07-03T00:00:00Z")
	if !strings.Contains(report, "late (waiting for billing rerun): 1\n    U1, anniversary window 2026-06-01: 0 orders, 1 usage events") {
		t.Errorf("run report:\n%s", report)
	}
	before := summary(o.invoices(""))
	dry := o.billing("rerun", "--account", "U1", "--window", "2026-06-01", "--dry-run", "--as-of", "2026-07-03T00:00:00Z")
	if !strings.Contains(dry, "would issue a recurring invoice (adjustment of INV-2026-000002), 2 lines: subtotal 25.00, tax 0.00, total 25.00") {
		t.Errorf("dry run:\n%s", dry)
	}
	if summary(o.invoices("")) != before {
		t.Errorf("a dry run issued an invoice")
	}
	o.billing("rerun", "--account", "U1", "--window", "2026-06-01", "--as-of", "2026-07-03T00:00:00Z")
	u1 := o.invoices("U1")
	assertText(t, "U1 invoices", summary(u1), strings.Join([]string{
		"INV-2026-000002 U1 new anniversary USD 2026-06-01–2026-06-30 issued 2026-07-01 92.35+0.00=92.35 adjusts -",
		"INV-2026-000003 U1 recurring anniversary USD 2026-06-01–2026-06-30 issued 2026-07-03 25.00+0.00=25.00 adjusts INV-2026-000002",
	}, "\n"))
	assertText(t, "the adjustment's lines", lineSummary(o.invoice("INV-2026-000003")), strings.Join([]string{
		"U-C1 - 2026-06-01–2026-06-30 -0.007651×12070=-92.35 tax 0.00 usage",
		"U-C1 - 2026-06-01–2026-06-30 0.006875×17070=117.35 tax 0.00 usage",
	}, "\n"))
	again := o.billing("rerun", "--account", "U1", "--window", "2026-06-01", "--as-of", "2026-07-04T00:00:00Z")
	if !strings.Contains(again, "USD: no difference from what was invoiced") || len(o.invoices("U1")) != 2 {
		t.Errorf("second rerun:\n%s", again)
	}
	if report := o.billing("run", "--as-of", "2026-07-04T00:00:00Z", "--stage", "extract"); !strings.Contains(report, "late (waiting for billing rerun): 0") {
		t.Errorf("after the rerun:\n%s", report)
	}
}

func TestRerunOfAWindowThatIsNotClosed(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	code, _, errOut := billing(t, "rerun", "--account", "P1", "--window", "2026-06-15", "--database-url", o.url)
	want := "billing: window is not closed: account P1 has no closed window starting 2026-06-15 (billing run closes windows when they are due)\n"
	if code != 1 || errOut != want {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

func TestAFinalizedInvoiceCannotBeChanged(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	o.billing("run", "--as-of", "2026-07-02T00:00:00Z")
	for _, stmt := range []string{
		"UPDATE invoices SET total = 0 WHERE number = 'INV-2026-000001'",
		"DELETE FROM invoices WHERE number = 'INV-2026-000001'",
		"UPDATE invoice_lines SET amount = 0 WHERE invoice_number = 'INV-2026-000001'",
		"DELETE FROM invoice_lines",
		"TRUNCATE invoices CASCADE",
	} {
		_, err := o.db.Exec(stmt)
		if err == nil || !strings.Contains(err.Error(), "finalized invoices cannot be changed or deleted") {
			t.Errorf("%s: %v", stmt, err)
		}
	}
	if got := summary(o.invoices("P1")); !strings.Contains(got, "24.00+0.00=24.00") {
		t.Errorf("invoice changed: %s", got)
	}
}

// An order dated before any window the account has closed is not lost: its
// window, never closed, is closed by the next run as catch-up would have,
// issued on its own closing date.
func TestAnOrderOlderThanEveryClosedWindowIsBilledInItsOwnWindow(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	o.billing("run", "--as-of", "2026-06-20T00:00:00Z")
	o.load(map[string]string{"orders": ordersHeader + "O-0900,S9,C1,LIC-STD,new,3,2026-04-20\n"})
	report := o.billing("run", "--as-of", "2026-06-20T00:00:00Z")
	if !strings.Contains(report, "windows closed:        1\n") {
		t.Errorf("run report:\n%s", report)
	}
	// Listed by issue date: the older window's invoice comes first, with the next number.
	p1 := summary(o.invoices("P1"))
	assertText(t, "P1 invoices", p1, strings.Join([]string{
		"INV-2026-000002 P1 recurring anniversary USD 2026-04-15–2026-05-14 issued 2026-05-15 12.00+0.00=12.00 adjusts -",
		"INV-2026-000001 P1 new anniversary USD 2026-05-15–2026-06-14 issued 2026-06-15 24.00+0.00=24.00 adjusts -",
	}, "\n"))
}

// Windows of one closing date close together in one transaction. When the
// database refuses one of them (here a trigger stands for any fault), the
// batch is closed window by window: the windows before it close, the error
// names it, nothing of it is stored, and the next run closes it and the rest
// with gap-free numbers.
func TestAWindowTheDatabaseRefusesIsNamedAndTheOthersClose(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.load(map[string]string{
		"accounts":  "account_id,name,country,currency,billing_day\nA1,First,US,USD,15\nA2,Second,US,USD,15\nA3,Third,US,USD,15\n",
		"customers": "customer_id,account_id,name,country,currency\nC1,A1,One,US,USD\nC2,A2,Two,US,USD\nC3,A3,Three,US,USD\n",
		"products":  usd4Catalog,
		"prices":    usd4Prices,
		"orders":    ordersHeader + "O1,S1,C1,LIC,new,1,2026-06-01\nO2,S2,C2,LIC,new,2,2026-06-01\nO3,S3,C3,LIC,new,3,2026-06-01\n",
	})
	o.db.MustExec(`CREATE FUNCTION refuse_c2() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.customer_id = 'C2' THEN RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$`)
	o.db.MustExec(`CREATE TRIGGER refuse_c2 BEFORE INSERT ON invoice_lines FOR EACH ROW EXECUTE FUNCTION refuse_c2()`)
	code, _, errOut := billing(t, "run", "--as-of", "2026-06-16T00:00:00Z", "--database-url", o.url, "--output-dir", o.dir+"/out", "--log-level", "warn")
	if code == 0 || !strings.Contains(errOut, "closing window 2026-05-15 for account A2 (anniversary)") || !strings.Contains(errOut, "refused for the test") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	assertText(t, "the window before the refused one closed", summary(o.invoices("")),
		"INV-2026-000001 A1 new anniversary USD 2026-05-15–2026-06-14 issued 2026-06-15 4.00+0.00=4.00 adjusts -")
	var closed []string
	if err := o.db.Select(&closed, `SELECT account_id FROM closed_windows ORDER BY 1`); err != nil || strings.Join(closed, ",") != "A1" {
		t.Fatalf("closed windows %q (%v)", closed, err)
	}
	o.db.MustExec(`DROP TRIGGER refuse_c2 ON invoice_lines`)
	o.billing("run", "--as-of", "2026-06-16T00:00:00Z")
	assertText(t, "the next run closes the rest", summary(o.invoices("")), strings.Join([]string{
		"INV-2026-000001 A1 new anniversary USD 2026-05-15–2026-06-14 issued 2026-06-15 4.00+0.00=4.00 adjusts -",
		"INV-2026-000002 A2 new anniversary USD 2026-05-15–2026-06-14 issued 2026-06-15 8.00+0.00=8.00 adjusts -",
		"INV-2026-000003 A3 new anniversary USD 2026-05-15–2026-06-14 issued 2026-06-15 12.00+0.00=12.00 adjusts -",
	}, "\n"))
}

// Extract derives the subscriptions of the orders imports it has not seen,
// every one the first time (§2): a later import's cancel ends a
// subscription of an earlier one, its new subscription appears, and a run
// with no new import derives nothing.
func TestExtractDerivesTheSubscriptionsOfEachNewImportOnce(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	derived := func() string {
		t.Helper()
		var s string
		if err := o.db.Get(&s, `SELECT string_agg(subscription_id || ' ' || start_date || '..' || coalesce(end_date::text, ''), ', ' ORDER BY subscription_id)
			FROM subscriptions WHERE subscription_id IN ('S1', 'S2', 'S9')`); err != nil {
			t.Fatal(err)
		}
		return s
	}
	reportSays(t, o.billing("run", "--as-of", "2026-06-12T00:00:00Z", "--stage", "extract"), "  subscriptions updated: 9\n")
	assertText(t, "first derivation", derived(), "S1 2026-06-11.., S2 2026-06-11..")
	o.load(map[string]string{"orders": ordersHeader + "O-9001,S9,C1,LIC-STD,new,1,2026-06-20\nO-9002,S1,C1,LIC-STD,cancel,0,2026-06-25\n"})
	reportSays(t, o.billing("run", "--as-of", "2026-06-12T00:00:00Z", "--stage", "extract"), "  subscriptions updated: 2\n")
	assertText(t, "after the second import", derived(), "S1 2026-06-11..2026-06-25, S2 2026-06-11.., S9 2026-06-20..")
	reportSays(t, o.billing("run", "--as-of", "2026-06-12T00:00:00Z", "--stage", "extract"), "  subscriptions updated: 0\n")
	var imports int
	if err := o.db.Get(&imports, `SELECT count(*) FROM derived_imports`); err != nil || imports != 2 {
		t.Errorf("%d orders imports listed as derived (%v), want 2", imports, err)
	}
}
