package main

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openbilling/billing/internal/testkit/smtptest"
)

// The late-fee policy of these tests: USD, 10 days after the due date,
// 10% of what is due, at least 1.00 (§13).
const usdPolicy = "currency,after_days,fixed,rate,minimum,maximum,effective_from\nUSD,10,,0.10,1.00,,\n"

func (o *operator) importLateFees(csv string) string {
	o.t.Helper()
	path := filepath.Join(o.dir, "late-fees.csv")
	if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
		o.t.Fatal(err)
	}
	return o.billing("import", "late-fees", path)
}

// reminders lists the reminders of §13 written to the outbox, as
// "recipient: subject", sorted.
func (o *operator) reminders() []string {
	o.t.Helper()
	var out []string
	if err := o.db.Select(&out, `SELECT recipient || ': ' || subject FROM outbox
		WHERE message_id ~ '^<(invoice_due_soon|invoice_overdue|late_fee_assessed|card_expiring)-' ORDER BY 1`); err != nil {
		o.t.Fatal(err)
	}
	return out
}

// U1's first invoice, INV-2026-000002 (92.35 USD, issued 2026-07-01), is
// due on 2026-07-31 (the default 30 days' terms) and assessed from
// 2026-08-11 (10 days after it): the day before, nothing; on the day, one
// fee of 9.24 (9.235 rounded half away from zero), its own invoice; the same
// day again, a catch-up over the next days and a rerun of the window, nothing
// more. P1's invoices are charged to its card, and paid.
func TestALateFeeIsAssessedOnceOnItsDay(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	o.importLateFees(usdPolicy)
	o.billing("payment-methods", "add", "--account", "P1", "--card", "4242 4242 4242 4242", "--exp", "12/30", "--cvc", "123", "--name", "Pat Pine")

	report := o.billing("run", "--as-of", "2026-08-10T00:00:00Z")
	// Overdue on 2026-08-10: U1's INV-2026-000002 and M1's June invoices
	// in EUR, GBP and USD (due 2026-08-07); the USD one is assessed from
	// 2026-08-18.
	reportSays(t, report, "  late fees:             0 of 0 overdue invoices assessed (none)\n",
		"  reminders e-mailed:    0 due soon, 4 overdue, 0 cards expiring\n")
	first := o.invoice("INV-2026-000002")
	if first.DueDate == nil || first.DueDate.String() != "2026-07-31" || first.AmountDue != "92.35" {
		t.Fatalf("INV-2026-000002 is due %v with %s due; want 2026-07-31 and 92.35", first.DueDate, first.AmountDue)
	}
	before := len(o.invoices(""))

	report = o.billing("run", "--as-of", "2026-08-11T00:00:00Z")
	reportSays(t, report, "  late fees:             1 of 1 overdue invoices assessed (9.24 USD)\n")
	list := o.invoices("")
	if len(list) != before+1 {
		t.Fatalf("%d invoices after the assessment day, want %d", len(list), before+1)
	}
	fee := o.invoice(list[len(list)-1].Number)
	if fee.Type != "onetime" || fee.AccountID != "U1" || fee.Billing != "anniversary" || fee.Currency != "USD" ||
		fee.WindowStart.String() != "2026-06-01" || fee.IssueDate.String() != "2026-08-11" || fee.Adjusts == nil || *fee.Adjusts != "INV-2026-000002" ||
		fee.Subtotal != "9.24" || fee.Tax != "0.00" || fee.Total != "9.24" || fee.DueDate == nil || fee.DueDate.String() != "2026-09-10" || fee.Files == nil {
		t.Fatalf("the fee's invoice: %+v", fee)
	}
	if len(fee.Lines) != 1 {
		t.Fatalf("the fee's invoice has %d lines", len(fee.Lines))
	}
	l := fee.Lines[0]
	if l.ChargeType != "lateFee" || l.CustomerID != "" || l.SubscriptionID != nil || l.OrderID != nil || l.SKU != "" ||
		l.ChargeStart.String() != "2026-08-11" || l.ChargeEnd.String() != "2026-08-11" || l.Quantity != "1" ||
		l.UnitPrice != "9.24" || l.Amount != "9.24" || l.Tax != "0.00" || l.Total != "9.24" {
		t.Fatalf("the fee's line: %+v", l)
	}
	// The summary as of the day: one overdue invoice, the oldest.
	summary := o.billing("summary", "--account", "U1", "--as-of", "2026-08-11T00:00:00Z")
	reportSays(t, summary, "Open invoice INV-2026-000002 of 2026-07-01: 92.35 USD due of 92.35, overdue since 2026-07-31\n",
		"Open invoice "+fee.Number+" of 2026-08-11: 9.24 USD due of 9.24, due 2026-09-10\n")

	for i, asOf := range []string{"2026-08-11T00:00:00Z", "2026-08-11T18:00:00Z", "2026-08-17T00:00:00Z"} {
		args := []string{"run", "--as-of", asOf}
		if i == 0 {
			args = append(args, "--stage", "dunning") // the stage alone
		}
		report = o.billing(args...)
		reportSays(t, report, "  late fees:             0 of 0 overdue invoices assessed (none)\n")
	}
	before = len(o.invoices("")) // with P1's invoice of 2026-08-15
	diff := o.billing("rerun", "--account", "U1", "--window", "2026-06-01", "--as-of", "2026-08-17T00:00:00Z")
	if got := len(o.invoices("")); got != before || !strings.Contains(diff, "USD: no difference from what was invoiced") {
		t.Fatalf("a rerun of the overdue window made %d invoices, want %d:\n%s", got, before, diff)
	}
	var fees int
	if err := o.db.Get(&fees, `SELECT count(*) FROM late_fees WHERE fee > 0`); err != nil || fees != 1 {
		t.Fatalf("%d late fees recorded (%v), want 1", fees, err)
	}
	o.billing("verify", "--files", "full")

	// Each reminder once, whatever the runs: the overdue e-mail of each
	// invoice overdue on 2026-08-10, and the fee's.
	want := []string{
		"accounts@meridian.example: Invoice INV-2026-000003 is overdue",
		"accounts@meridian.example: Invoice INV-2026-000004 is overdue",
		"accounts@meridian.example: Invoice INV-2026-000005 is overdue",
		"finance@upstream.example: A late fee of 9.24 USD on invoice INV-2026-000002",
		"finance@upstream.example: Invoice INV-2026-000002 is overdue",
	}
	// Only where a policy covers the currency does the overdue e-mail warn of a fee.
	var usd, eur string
	if err := o.db.Get(&usd, `SELECT body FROM outbox WHERE message_id = '<invoice_overdue-INV-2026-000002@billing>'`); err != nil {
		t.Fatal(err)
	}
	if err := o.db.Get(&eur, `SELECT body FROM outbox WHERE message_id = '<invoice_overdue-INV-2026-000003@billing>'`); err != nil {
		t.Fatal(err)
	}
	if want := "Invoice INV-2026-000002 was due on 2026-07-31 and 92.35 USD of it is still to pay (as of 2026-08-10). " +
		"Please pay it in the billing portal; a late fee may be charged."; usd != want {
		t.Errorf("the USD overdue e-mail:\n%s\nwant:\n%s", usd, want)
	}
	if strings.Contains(eur, "late fee") {
		t.Errorf("the EUR overdue e-mail warns of a fee no policy charges: %s", eur)
	}
	if got := o.reminders(); !slices.Equal(got, want) {
		t.Fatalf("the outbox holds\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	box := smtptest.Start(t)
	o.billing("outbox", "send", "--smtp-addr", box.Addr)
	o.billing("outbox", "send", "--smtp-addr", box.Addr)
	var received []string
	for _, m := range box.Received() {
		if r := m.Header.Get("To") + ": " + m.Header.Get("Subject"); slices.Contains(want, r) {
			received = append(received, r)
		}
	}
	slices.Sort(received)
	if !slices.Equal(received, want) {
		t.Fatalf("the mail server received\n%s\nwant\n%s", strings.Join(received, "\n"), strings.Join(want, "\n"))
	}
}

// What is paid between the due date and the assessment lowers the fee: 50.00
// of INV-2026-000002's 92.35 paid leaves 42.35, whose 10% (4.235) rounds
// half away from zero to 4.24. (P1's first invoice, due 2026-07-15 and
// unpaid here, had its fee on 2026-08-05.)
func TestAPaymentBeforeTheAssessmentLowersTheFee(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	o.importLateFees(usdPolicy)
	reportSays(t, o.billing("run", "--as-of", "2026-08-05T00:00:00Z"), "  late fees:             1 of 1 overdue invoices assessed (2.40 USD)\n")
	o.billing("pay", "--account", "U1", "--currency", "USD", "--amount", "50.00", "--paypal", "buyer@example.com")
	report := o.billing("run", "--as-of", "2026-08-11T00:00:00Z")
	reportSays(t, report, "  late fees:             1 of 1 overdue invoices assessed (4.24 USD)\n")
	o.billing("verify")

	// §12.7 broken behind the product's back: the fee recorded is not its
	// policy's, its invoice is not of the fee, and a lateFee line sits on
	// an invoice that is no late fee.
	tamper := o.db.MustBegin()
	for _, q := range []string{
		"SET LOCAL session_replication_role = replica", // past the triggers that keep invoices and fees final
		"UPDATE late_fees SET fee = 4.25 WHERE invoice_number = 'INV-2026-000002'",
		`INSERT INTO invoice_lines (invoice_number, line_no, customer_id, sku, charge_type, charge_start, charge_end, activity_date,
			unit_price, effective_unit_price, quantity, amount, tax, total)
			VALUES ('INV-2026-000007', 99, '', '', 'lateFee', '2026-08-01', '2026-08-01', '2026-08-01', 0, 0, 1, 0, 0, 0)`,
	} {
		tamper.MustExec(q)
	}
	if err := tamper.Commit(); err != nil {
		t.Fatal(err)
	}
	var feeInvoice string
	if err := o.db.Get(&feeInvoice, `SELECT fee_invoice FROM late_fees WHERE invoice_number = 'INV-2026-000002'`); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := billing(t, "verify", "--database-url", o.url)
	want := "§12.7 invoice INV-2026-000007 has a lateFee line but is no late fee\n" +
		"§12.7 late fee " + feeInvoice + " on INV-2026-000002 of 4.25 USD is a onetime invoice of 4.24 adjusting INV-2026-000002 with 1 lines\n" +
		"§12.7 invoice INV-2026-000002 was assessed a late fee of 4.25 USD on 42.35 due; its policy makes it 4.24\n"
	if code != 1 || !strings.HasPrefix(out, want) || errOut != "billing: verify: 3 breaches of the guarantees (§12)\n" {
		t.Errorf("verify: exit %d\n%s%s\nwant:\n%s", code, out, errOut, want)
	}
}

// A policy makes no fee on what it does not cover: a currency without one
// (M1's EUR and GBP invoices), a fee of zero under the policy of the due
// date (assessed, and never again), and the fee itself once overdue.
func TestOnlyTheInvoicesAPolicyCoversGetAFee(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	// A zero fee for USD invoices due before 2026-08-01, 5.00 from then on.
	o.importLateFees("currency,after_days,fixed,effective_from\nUSD,0,0.00,\nUSD,0,5.00,2026-08-01\n")
	// P1's card declines every charge: its invoices stay due, and its fee
	// is charged to the card like any invoice, and declined too.
	o.billing("payment-methods", "add", "--account", "P1", "--card", "4000 0000 0000 0341", "--exp", "12/30", "--cvc", "123", "--name", "Pat Pine")
	report := o.billing("run", "--as-of", "2026-08-20T00:00:00Z")
	// Overdue in USD on 2026-08-20: INV-2026-000001 (P1, due 07-15; zero
	// fee), INV-2026-000002 (U1, due 07-31; zero fee), INV-2026-000005 (M1,
	// due 08-07; 5.00), INV-2026-000006 (P1, due 08-14; 5.00).
	reportSays(t, report, "  late fees:             2 of 4 overdue invoices assessed (10.00 USD)\n")
	var got []string
	if err := o.db.Select(&got, `SELECT invoice_number || ' ' || round(fee, 2) || ' ' || coalesce(fee_invoice, '-') FROM late_fees ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	want := []string{"INV-2026-000001 0.00 -", "INV-2026-000002 0.00 -", "INV-2026-000005 5.00 INV-2026-000012", "INV-2026-000006 5.00 INV-2026-000013"}
	if !slices.Equal(got, want) {
		t.Fatalf("late fees %q, want %q", got, want)
	}
	var charged []string
	if err := o.db.Select(&charged, `SELECT status || ' ' || amount FROM gateway_attempts
		WHERE purpose = 'auto_charge' AND invoice_number = 'INV-2026-000013'`); err != nil || !slices.Equal(charged, []string{"declined 5.00"}) {
		t.Fatalf("the fee on P1's card: %q (%v), want one declined charge of 5.00", charged, err)
	}
	// The fees fall due (2026-09-19) and are overdue by November: no fee
	// on a fee, nor a second on an invoice assessed at zero.
	o.billing("run", "--as-of", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339))
	var onFees, again int
	if err := o.db.Get(&onFees, `SELECT count(*) FROM late_fees f JOIN late_fees g ON g.fee_invoice = f.invoice_number`); err != nil || onFees != 0 {
		t.Fatalf("%d fees on fees (%v)", onFees, err)
	}
	if err := o.db.Get(&again, `SELECT count(*) FROM late_fees WHERE invoice_number IN ('INV-2026-000001', 'INV-2026-000002') AND fee > 0`); err != nil || again != 0 {
		t.Fatalf("%d fees on the invoices assessed at zero (%v)", again, err)
	}
	o.billing("verify", "--files", "full")
}

// The portal shows each invoice's due date and marks the overdue ones
// (§13): today (the server's clock) is after U1's invoices' due dates.
func TestThePortalMarksOverdueInvoices(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	c := p.client()
	c.signInWithToken(p.token("--account", "U1"))
	_, page := c.expect(http.StatusOK, "GET", "/accounts/U1/invoices", nil)
	for _, want := range []string{
		`<td>2026-07-31</td>` + "\n" + `<td><span class="status open">open</span> <span class="status overdue">overdue</span></td>`,
		`<span class="status overdue">overdue 93.10</span>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the invoice list lacks %q:\n%s", want, clip(page))
		}
	}
	_, page = c.expect(http.StatusOK, "GET", "/accounts/U1/invoices/"+u1Invoice, nil)
	if want := `<div><dt>Due date</dt><dd>2026-07-31 <span class="status overdue">overdue</span></dd></div>`; !strings.Contains(page, want) {
		t.Errorf("the invoice page lacks %q:\n%s", want, clip(page))
	}
	_, page = c.expect(http.StatusOK, "GET", "/accounts/U1/summary", nil)
	if want := `<td class="num">93.10 <span class="muted">(oldest ` + u1Invoice + `)</span></td>`; !strings.Contains(page, want) {
		t.Errorf("the summary lacks %q:\n%s", want, clip(page))
	}
}

// A late-fee file is checked like every file (§10): one line per bad row,
// naming the line, column and reason, and nothing imported; a good file
// imported twice adds nothing the second time.
func TestALateFeeFileIsCheckedAndImportedOnce(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	path := filepath.Join(o.dir, "late-fees.csv")
	bad := "currency,after_days,fixed,rate,minimum,maximum,effective_from\n" +
		"USD,10,,0.015,5.00,,\n" +
		"JPY,10,0.5,,,,\n" +
		"EUR,400,,,,,\n" +
		"GBP,7,,2,,,\n" +
		"CHF,7,,0.01,10.00,5.00,\n" +
		"XYZ,7,,,,,\n"
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := billing(t, "import", "late-fees", path, "--database-url", o.url)
	want := `late-fees.csv:3: column 3 (fixed): 0.5 is finer than JPY's minor unit
late-fees.csv:4: column 2 (after_days): after_days 400 is outside 0..365
late-fees.csv:5: column 4 (rate): rate 2 is above 1 (write 0.10 for 10%)
late-fees.csv:6: column 5 (minimum): the minimum 10.00 is above the maximum 5.00
late-fees.csv:7: column 1 (currency): "XYZ" is not an ISO 4217 currency code
billing: import of ` + path + ` failed: 5 bad rows; nothing imported
`
	if code != 1 || out != "" || errOut != want {
		t.Errorf("exit %d\nstdout %q\nstderr:\n%s\nwant stderr:\n%s", code, out, errOut, want)
	}
	var n int
	if err := o.db.Get(&n, `SELECT count(*) FROM late_fee_policies`); err != nil || n != 0 {
		t.Fatalf("%d policies after a refused file (%v)", n, err)
	}
	good := "currency,after_days,fixed,rate,minimum,maximum,effective_from\nUSD,10,,0.015,5.00,,\nUSD,10,,0.02,5.00,50.00,2027-01-01\n"
	if got := o.importLateFees(good); !strings.Contains(got, "2 rows read, 2 added, 0 already present") {
		t.Errorf("first import: %s", got)
	}
	if got := o.importLateFees(good); !strings.Contains(got, "2 rows read, 0 added, 2 already present") {
		t.Errorf("second import: %s", got)
	}
}

// Payment terms: the accounts file's, else the setting; set-payment-terms
// changes them for the invoices issued from then on, never an earlier one's
// due date (§13).
func TestPaymentTermsGiveEachInvoiceItsDueDate(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	o.billing("run", "--as-of", "2026-07-02T00:00:00Z", "--payment-terms-days", "20")
	if got := o.invoice("INV-2026-000002").DueDate.String(); got != "2026-07-21" {
		t.Fatalf("U1's first invoice is due %s, want 2026-07-21 (the setting's 20 days)", got)
	}
	if out := o.billing("account", "set-payment-terms", "--account", "U1", "--days", "7"); out != "account U1: payment terms 7 days, for the invoices issued from now on\n" {
		t.Fatalf("set-payment-terms printed %q", out)
	}
	// The accounts file, without the column, does not contradict the terms set.
	if out := o.billing("import", "accounts", filepath.Join("..", "..", "examples", "accounts.csv")); !strings.Contains(out, "3 rows read, 0 added, 3 already present") {
		t.Fatalf("importing the accounts file again: %s", out)
	}
	o.billing("run", "--as-of", "2026-08-02T00:00:00Z", "--payment-terms-days", "20")
	if a, b := o.invoice("INV-2026-000002").DueDate.String(), o.invoice("INV-2026-000007").DueDate.String(); a != "2026-07-21" || b != "2026-08-08" {
		t.Fatalf("due dates %s and %s, want 2026-07-21 (kept) and 2026-08-08 (7 days after 2026-08-01)", a, b)
	}
	for _, c := range []struct{ args, want string }{
		{"--account U1 --days 121", "billing: --days \"121\" is not a whole number of days from 0 to 120\n"},
		{"--account NOPE --days 5", "billing: no account NOPE\n"},
	} {
		code, _, errOut := billing(t, append([]string{"account", "set-payment-terms", "--database-url", o.url}, strings.Fields(c.args)...)...)
		if code == 0 || errOut != c.want {
			t.Errorf("set-payment-terms %s: exit %d, %q; want %q", c.args, code, errOut, c.want)
		}
	}
	// The accounts file's terms, for an account imported with them.
	o.load(map[string]string{"accounts": "account_id,name,country,currency,billing_day,email,payment_terms_days\nT1,Termed,US,USD,1,t@example.com,45\n"})
	var terms int
	if err := o.db.Get(&terms, `SELECT payment_terms_days FROM accounts WHERE account_id = 'T1'`); err != nil || terms != 45 {
		t.Fatalf("T1's terms %d (%v), want 45", terms, err)
	}
	o.billing("verify")
}

// The reminders before the due date and of an expiring card, each once:
// U1 has no card, so INV-2026-000007 (due 2026-08-31) is reminded 3 days
// before (due_reminder_days); P1's card, which expires at the end of
// 11/2027, is e-mailed about on the first run within 30 days of that.
func TestRemindersBeforeTheDueDateAndOfAnExpiringCardComeOnce(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	o.billing("payment-methods", "add", "--account", "P1", "--card", "4242 4242 4242 4242", "--exp", "11/27", "--cvc", "123", "--name", "Pat Pine")
	// M1's card, removed, is never reminded of (nor does it stop M1's invoices' reminders).
	o.billing("payment-methods", "add", "--account", "M1", "--card", "5555 5555 5555 4444", "--exp", "11/27", "--cvc", "123", "--name", "Mo Meridian")
	var m1Card string
	if err := o.db.Get(&m1Card, `SELECT payment_method_id::text FROM payment_methods WHERE account_id = 'M1'`); err != nil {
		t.Fatal(err)
	}
	o.billing("payment-methods", "remove", "--account", "M1", "--id", m1Card)
	reportSays(t, o.billing("run", "--as-of", "2026-08-27T00:00:00Z"), "  reminders e-mailed:    0 due soon, 4 overdue, 0 cards expiring\n")
	reportSays(t, o.billing("run", "--as-of", "2026-08-28T00:00:00Z"), "  reminders e-mailed:    1 due soon, 0 overdue, 0 cards expiring\n")
	reportSays(t, o.billing("run", "--as-of", "2026-08-29T00:00:00Z"), "  reminders e-mailed:    0 due soon, 0 overdue, 0 cards expiring\n")
	// By 2027-10-31 U1's and M1's invoices due since 2026-08-28 are overdue (4).
	reportSays(t, o.billing("run", "--as-of", "2027-10-31T00:00:00Z", "--stage", "dunning"), "  reminders e-mailed:    0 due soon, 4 overdue, 1 cards expiring\n")
	reportSays(t, o.billing("run", "--as-of", "2027-11-01T00:00:00Z", "--stage", "dunning"), "  reminders e-mailed:    0 due soon, 0 overdue, 0 cards expiring\n")
	var got []string
	if err := o.db.Select(&got, `SELECT recipient || ': ' || subject FROM outbox
		WHERE message_id ~ '^<(invoice_due_soon|card_expiring)-' ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"billing@pinewood.example: Your visa card ending 4242 expires at the end of 11/2027",
		"finance@upstream.example: Invoice INV-2026-000007 is due on 2026-08-31",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("reminders %q, want %q", got, want)
	}
	// Off: no reminder before the due date.
	q := newOperator(t)
	q.loadExamples()
	reportSays(t, q.billing("run", "--as-of", "2026-08-28T00:00:00Z", "--due-reminder-days", "off"), "  reminders e-mailed:    0 due soon, ")
}
