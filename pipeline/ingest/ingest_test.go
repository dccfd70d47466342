package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/openbilling/billing/internal/testkit/pgtest"
	"github.com/openbilling/billing/pipeline/ingest"
	"github.com/openbilling/billing/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// importText imports content as a file named name of the given kind.
func importText(t *testing.T, db *sqlx.DB, kind, name, content string) (ingest.Result, error) {
	t.Helper()
	k, err := ingest.KindNamed(kind)
	if err != nil {
		t.Fatal(err)
	}
	im := &ingest.Importer{DB: store.New(db), Log: discard}
	return im.Import(context.Background(), k, name, func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(content)), nil
	})
}

func mustImport(t *testing.T, db *sqlx.DB, kind, content string) ingest.Result {
	t.Helper()
	res, err := importText(t, db, kind, kind+".csv", content)
	if err != nil {
		t.Fatalf("importing %s: %v", kind, err)
	}
	return res
}

// loadExamples imports the sample data of examples/ in dependency order.
func loadExamples(t *testing.T, db *sqlx.DB) map[string]ingest.Result {
	t.Helper()
	out := map[string]ingest.Result{}
	for _, k := range ingest.Kinds {
		path := filepath.Join("..", "..", "examples", k.Name+".csv")
		im := &ingest.Importer{DB: store.New(db), Log: discard}
		res, err := im.ImportFile(context.Background(), k, path)
		if err != nil {
			t.Fatalf("importing %s: %v", path, err)
		}
		out[k.Name] = res
	}
	return out
}

// fingerprint summarises the content of every data table, so a test can
// show that a failed import changed nothing.
func fingerprint(t *testing.T, db *sqlx.DB) string {
	t.Helper()
	var parts []string
	for _, table := range []string{"accounts", "customers", "products", "prices", "tax_rates", "orders", "usage_events", "imports", "ingest_batches"} {
		var sum string
		q := "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM " + table + " t"
		if err := db.Get(&sum, q); err != nil {
			t.Fatalf("fingerprinting %s: %v", table, err)
		}
		parts = append(parts, table+"="+sum)
	}
	return strings.Join(parts, " ")
}

func TestImportExamplesCountsEveryRow(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.NewDB(t)
	got := loadExamples(t, db)
	want := map[string]int64{"accounts": 3, "customers": 8, "products": 4, "prices": 10, "tax-rates": 3, "orders": 13, "usage": 40}
	for kind, n := range want {
		if got[kind].Rows != n || got[kind].Added != n {
			t.Errorf("%s: read %d, added %d; want %d and %d", kind, got[kind].Rows, got[kind].Added, n, n)
		}
	}
	var usageTotal string
	if err := db.Get(&usageTotal, "SELECT sum(quantity)::text FROM usage_events"); err != nil {
		t.Fatal(err)
	}
	if usageTotal != "12155" {
		t.Errorf("sum of usage quantities = %s, want 12155", usageTotal)
	}
	var instant string
	if err := db.Get(&instant, "SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM usage_events WHERE event_id = 'E-0038'"); err != nil {
		t.Fatal(err)
	}
	if instant != "2026-06-30 23:30:00" {
		t.Errorf("E-0038 stored at %s UTC, want 2026-06-30 23:30:00", instant)
	}
}

func TestImportingTheSameFileTwiceChangesNothing(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.NewDB(t)
	loadExamples(t, db)
	before := fingerprint(t, db)
	again := loadExamples(t, db)
	for kind, res := range again {
		if res.Added != 0 {
			t.Errorf("second import of %s added %d records, want 0", kind, res.Added)
		}
	}
	if after := fingerprint(t, db); after != before {
		t.Errorf("second import changed the database:\nbefore %s\nafter  %s", before, after)
	}
}

// §7: an import of usage or orders records its transaction with the
// first and last UTC dates of what it added, the span late records are
// looked for in; an import that adds nothing records nothing.
func TestAnImportRecordsTheUTCDatesOfItsRecords(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.NewDB(t)
	loadExamples(t, db)
	usage := "event_id,subscription_id,quantity,occurred_at\n" +
		"d1,US-1,1,2026-08-01T01:00:00+02:00\n" + // 2026-07-31 in UTC
		"d2,US-1,1,2026-08-15T12:00:00Z\n" +
		"d3,US-1,1,2026-08-31T23:30:00-05:00\n" // 2026-09-01 in UTC
	mustImport(t, db, "usage", usage)
	if res := mustImport(t, db, "usage", usage); res.Added != 0 {
		t.Fatalf("the second import added %d", res.Added)
	}
	var got []string
	if err := db.Select(&got, `SELECT b.kind || ' ' || b.first_activity || '..' || b.last_activity || ' ' ||
		(SELECT count(*) FROM usage_events u WHERE u.ingest_xid = b.xid) + (SELECT count(*) FROM orders o WHERE o.ingest_xid = b.xid)
		FROM ingest_batches b ORDER BY b.xid`); err != nil {
		t.Fatal(err)
	}
	var orders string
	if err := db.Get(&orders, "SELECT min(effective_date) || '..' || max(effective_date) || ' ' || count(*) FROM orders"); err != nil {
		t.Fatal(err)
	}
	var examples string
	if err := db.Get(&examples, `SELECT min((occurred_at AT TIME ZONE 'UTC')::date) || '..' || max((occurred_at AT TIME ZONE 'UTC')::date) || ' ' || count(*)
		FROM usage_events WHERE event_id NOT IN ('d1', 'd2', 'd3')`); err != nil {
		t.Fatal(err)
	}
	want := []string{"orders " + orders, "usage " + examples, "usage 2026-07-31..2026-09-01 3"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("imports recorded:\n%s\nwant\n%s", strings.Join(got, "; "), strings.Join(want, "; "))
	}
}

func TestImportKeepsDecimalsAsWritten(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.NewDB(t)
	mustImport(t, db, "products", "sku,name,kind,billing\nGB-H,Storage,usage,anniversary\n")
	mustImport(t, db, "prices", "sku,currency,unit_price,from_quantity\nGB-H,USD,0.000123456789,1000.5\n")
	var price, from string
	if err := db.QueryRow("SELECT unit_price::text, from_quantity::text FROM prices").Scan(&price, &from); err != nil {
		t.Fatal(err)
	}
	if price != "0.000123456789" || from != "1000.5" {
		t.Errorf("stored %s from %s, want 0.000123456789 from 1000.5", price, from)
	}
}

func TestImportSameIDWithSameContentInFileIsOneRecord(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.NewDB(t)
	res := mustImport(t, db, "usage", "event_id,subscription_id,quantity,occurred_at\ne1,s1,5,2026-01-01T00:00:00Z\ne1,s1,5.0,2026-01-01T01:00:00+01:00\n")
	if res.Rows != 2 || res.Added != 1 {
		t.Errorf("read %d, added %d; want 2 and 1", res.Rows, res.Added)
	}
}

func TestImportColumnsInAnyOrder(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.NewDB(t)
	mustImport(t, db, "accounts", "\uFEFFbilling_day,currency,country,name,account_id\n31,JPY,JP,Kaede KK,A1\n")
	var day int
	var currency string
	if err := db.QueryRow("SELECT billing_day, currency FROM accounts WHERE account_id = 'A1'").Scan(&day, &currency); err != nil {
		t.Fatal(err)
	}
	if day != 31 || currency != "JPY" {
		t.Errorf("got billing day %d in %s, want 31 in JPY", day, currency)
	}
}

// base is the catalogue that the bad-input cases refer to.
const (
	baseAccounts  = "account_id,name,country,currency,billing_day\nA1,Acme,US,USD,15\n"
	baseCustomers = "customer_id,account_id,name,country,currency\nC1,A1,Buyer,US,USD\n"
	baseProducts  = "sku,name,kind,billing\nLIC,Seat,license,anniversary\n"
	baseOrders    = "order_id,subscription_id,customer_id,sku,action,quantity,effective_date\nO1,S1,C1,LIC,new,2,2026-06-11\n"
	baseUsage     = "event_id,subscription_id,quantity,occurred_at\nE1,S1,10,2026-06-11T10:00:00Z\n"
	usageHeader   = "event_id,subscription_id,quantity,occurred_at\n"
	ordersHeader  = "order_id,subscription_id,customer_id,sku,action,quantity,effective_date\n"
	accountHeader = "account_id,name,country,currency,billing_day\n"
)

func TestImportRefusesBadInput(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.NewDB(t)
	mustImport(t, db, "accounts", baseAccounts)
	mustImport(t, db, "customers", baseCustomers)
	mustImport(t, db, "products", baseProducts)
	mustImport(t, db, "orders", baseOrders)
	mustImport(t, db, "usage", baseUsage)
	before := fingerprint(t, db)

	long := strings.Repeat("x", 32768)
	cases := []struct {
		name, kind, content string
		want                []string // the lines of the error, in order
	}{
		{"negative quantity", "usage", usageHeader + "E2,S1,-1,2026-06-11T10:00:00Z\n",
			[]string{`f.csv:2: column 3 (quantity): "-1": must not be negative`}},
		{"NaN quantity", "usage", usageHeader + "E2,S1,NaN,2026-06-11T10:00:00Z\n",
			[]string{`f.csv:2: column 3 (quantity): "NaN": ` + notDecimal}},
		{"Inf quantity", "usage", usageHeader + "E2,S1,Inf,2026-06-11T10:00:00Z\n",
			[]string{`f.csv:2: column 3 (quantity): "Inf": ` + notDecimal}},
		{"huge exponent", "usage", usageHeader + "E2,S1,1e2000000000,2026-06-11T10:00:00Z\n",
			[]string{`f.csv:2: column 3 (quantity): "1e2000000000": ` + notDecimal}},
		{"decimal comma", "usage", usageHeader + "E2,S1,\"1,5\",2026-06-11T10:00:00Z\n",
			[]string{`f.csv:2: column 3 (quantity): "1,5": ` + notDecimal}},
		{"thousands separator", "usage", usageHeader + "E2,S1,\"1.234,56\",2026-06-11T10:00:00Z\n",
			[]string{`f.csv:2: column 3 (quantity): "1.234,56": ` + notDecimal}},
		{"too many digits", "usage", usageHeader + "E2,S1,1234567890123456,2026-06-11T10:00:00Z\n",
			[]string{`f.csv:2: column 3 (quantity): "1234567890123456": too many digits (at most 15 before and 12 after the decimal point)`}},
		{"instant without zone", "usage", usageHeader + "E2,S1,1,2026-06-11T10:00:00\n",
			[]string{`f.csv:2: column 4 (occurred_at): "2026-06-11T10:00:00" has no time zone (add Z or an offset such as +02:00)`}},
		{"instant that is no instant", "usage", usageHeader + "E2,S1,1,11/06/2026 10:00\n",
			[]string{`f.csv:2: column 4 (occurred_at): "11/06/2026 10:00" is not an RFC 3339 instant such as 2024-06-11T09:30:00Z`}},
		{"impossible date", "orders", ordersHeader + "O2,S1,C1,LIC,addQuantity,3,2022-02-30\n",
			[]string{`f.csv:2: column 7 (effective_date): "2022-02-30" is not a valid date YYYY-MM-DD`}},
		{"unknown currency", "accounts", accountHeader + "A2,Beta,US,XYZ,1\n",
			[]string{`f.csv:2: column 4 (currency): "XYZ" is not an ISO 4217 currency code`}},
		{"unknown country", "accounts", accountHeader + "A2,Beta,UK,GBP,1\n",
			[]string{`f.csv:2: column 3 (country): "UK" is not an ISO 3166-1 alpha-2 country code`}},
		{"billing day 0", "accounts", accountHeader + "A2,Beta,US,USD,0\n",
			[]string{`f.csv:2: column 5 (billing_day): billing day 0 is outside 1..31`}},
		{"billing day 32", "accounts", accountHeader + "A2,Beta,US,USD,32\n",
			[]string{`f.csv:2: column 5 (billing_day): billing day 32 is outside 1..31`}},
		{"unknown action", "orders", ordersHeader + "O2,S1,C1,LIC,upgrade,3,2026-06-12\n",
			[]string{`f.csv:2: column 5 (action): "upgrade" is not one of new, addQuantity, removeQuantity, cancel`}},
		{"fractional seats", "orders", ordersHeader + "O2,S1,C1,LIC,addQuantity,2.5,2026-06-12\n",
			[]string{`f.csv:2: column 6 (quantity): "2.5" is not a whole number of seats`}},
		{"removeQuantity to 0", "orders", ordersHeader + "O2,S1,C1,LIC,removeQuantity,0,2026-06-12\n",
			[]string{`f.csv:2: column 6 (quantity): removeQuantity to 0 is not allowed (use a cancel order)`}},
		{"unknown column", "usage", "event_id,subscription_id,quantity,occurred_at,note\nE2,S1,1,2026-06-11T10:00:00Z,x\n",
			[]string{`f.csv:1: column 5: unknown column "note" for usage (expected: event_id, subscription_id, quantity, occurred_at)`}},
		{"missing column", "usage", "event_id,subscription_id,quantity\nE2,S1,1\n",
			[]string{`f.csv:1: missing column "occurred_at" for usage (expected: event_id, subscription_id, quantity, occurred_at)`}},
		{"wrong column count", "usage", usageHeader + "E2,S1,1,2026-06-11T10:00:00Z\nE3,S1,1\n",
			[]string{`f.csv:3: wrong number of columns (every row must have as many as the header)`}},
		{"unbalanced quote", "usage", usageHeader + "E2,S1,\"1,2026-06-11T10:00:00Z\n",
			[]string{`f.csv:2: unbalanced quote: a quoted field starting on this line is not closed properly (detected at line 2, character 31)`}},
		{"invalid UTF-8", "usage", usageHeader + "E2,S\xff1,1,2026-06-11T10:00:00Z\n",
			[]string{`f.csv:2: column 2 (subscription_id): is not valid UTF-8`}},
		{"duplicate id in file with other content", "usage", usageHeader + "E2,S1,1,2026-06-11T10:00:00Z\nE3,S1,1,2026-06-11T10:00:00Z\nE2,S1,2,2026-06-11T10:00:00Z\n",
			[]string{`f.csv:4: column 1 (event_id): event_id=E2 repeats line 2 with different content`}},
		{"stored id with other content", "usage", usageHeader + "E1,S1,11,2026-06-11T10:00:00Z\n",
			[]string{`f.csv:2: column 1 (event_id): event_id=E1 is already stored with different content (the same id must always carry the same data)`}},
		{"text too long", "accounts", accountHeader + "A2," + long + ",US,USD,1\n",
			[]string{`f.csv:2: column 2 (name): is 32768 characters long; at most 32767 fit in a spreadsheet cell`}},
		{"name a spreadsheet cannot hold", "accounts", accountHeader + "A2,Beta\x01Co,US,USD,1\n",
			[]string{`f.csv:2: column 2 (name): contains the character U+0001, which a spreadsheet cannot hold`}},
		{"unknown account", "customers", "customer_id,account_id,name,country,currency\nC2,A9,Buyer,US,USD\n",
			[]string{`f.csv:2: column 2 (account_id): unknown account "A9" (import it first)`}},
		{"every bad row reported", "usage", usageHeader + "E2,S1,-1,2026-06-11T10:00:00Z\nE3,S1,1,2026-06-11T10:00:00Z\nE4,S1,x,2026-06-11T10:00:00Z\n",
			[]string{`f.csv:2: column 3 (quantity): "-1": must not be negative`, `f.csv:4: column 3 (quantity): "x": ` + notDecimal}},
		{"empty file", "usage", "", []string{`f.csv:1: the file is empty; expected a header row`}},
		{"empty required value", "usage", usageHeader + "E2,,1,2026-06-11T10:00:00Z\n",
			[]string{`f.csv:2: column 2 (subscription_id): is empty`}},
		// §10's bounds: what would break a spreadsheet, a window or the database later.
		{"quantity of 16 significant digits", "usage", usageHeader + "E2,S1,1234.123456789012,2026-06-11T10:00:00Z\n",
			[]string{`f.csv:2: column 3 (quantity): "1234.123456789012": ` + tooPrecise}},
		{"quantity of 27 significant digits", "usage", usageHeader + "E2,S1,123456789012345.123456789012,2026-06-11T10:00:00Z\n",
			[]string{`f.csv:2: column 3 (quantity): "123456789012345.123456789012": ` + tooPrecise}},
		{"price of 16 significant digits", "prices", "sku,currency,unit_price\nLIC,USD,1234.123456789012\n",
			[]string{`f.csv:2: column 3 (unit_price): "1234.123456789012": ` + tooPrecise}},
		{"tier threshold of 16 significant digits", "prices", "sku,currency,unit_price,from_quantity\nLIC,USD,1,1000000000000000.5\n",
			[]string{`f.csv:2: column 4 (from_quantity): "1000000000000000.5": too many digits (at most 15 before and 12 after the decimal point)`}},
		{"negative price", "prices", "sku,currency,unit_price\nLIC,USD,-4.00\n",
			[]string{`f.csv:2: column 3 (unit_price): "-4.00": must not be negative`}},
		{"id of 3,000 characters", "usage", usageHeader + strings.Repeat("e", 3000) + ",S1,1,2026-06-11T10:00:00Z\n",
			[]string{`f.csv:2: column 1 (event_id): is 3000 characters long; an identifier has at most 200`}},
		{"id holding U+FFFE", "usage", usageHeader + "E\uFFFE2,S1,1,2026-06-11T10:00:00Z\n",
			[]string{`f.csv:2: column 1 (event_id): contains the character U+FFFE, which is not printable text`}},
		{"id holding a tab", "orders", ordersHeader + "O\t2,S1,C1,LIC,addQuantity,3,2026-06-12\n",
			[]string{`f.csv:2: column 1 (order_id): contains a control character`}},
		{"id with a trailing space", "orders", ordersHeader + "O2 ,S1,C1,LIC,addQuantity,3,2026-06-12\n",
			[]string{`f.csv:2: column 1 (order_id): has leading or trailing spaces`}},
		{"price dated year 0000", "prices", "sku,currency,unit_price,effective_from\nLIC,USD,4.00,0000-01-01\n",
			[]string{`f.csv:2: column 4 (effective_from): 0000-01-01 is outside the dates billed (2000-01-01 to 2099-12-31)`}},
		{"usage in year 0000", "usage", usageHeader + "E2,S1,1,0000-06-11T10:00:00Z\n",
			[]string{`f.csv:2: column 4 (occurred_at): 0000-06-11 is outside the dates billed (2000-01-01 to 2099-12-31)`}},
		{"order dated 0001-01-01", "orders", ordersHeader + "O2,S1,C1,LIC,addQuantity,3,0001-01-01\n",
			[]string{`f.csv:2: column 7 (effective_date): 0001-01-01 is outside the dates billed (2000-01-01 to 2099-12-31)`}},
		{"order dated 2100", "orders", ordersHeader + "O2,S1,C1,LIC,addQuantity,3,2100-01-01\n",
			[]string{`f.csv:2: column 7 (effective_date): 2100-01-01 is outside the dates billed (2000-01-01 to 2099-12-31)`}},
		{"instant whose UTC date is in 2100", "usage", usageHeader + "E2,S1,1,2099-12-31T23:30:00-05:00\n",
			[]string{`f.csv:2: column 4 (occurred_at): 2100-01-01 is outside the dates billed (2000-01-01 to 2099-12-31)`}},
		{"tax rate from 1999", "tax-rates", "country,rate,effective_from\nUS,0.07,1999-12-31\n",
			[]string{`f.csv:2: column 3 (effective_from): 1999-12-31 is outside the dates billed (2000-01-01 to 2099-12-31)`}},
		{"offset +24:00", "usage", usageHeader + "E2,S1,1,2026-06-11T10:00:00+24:00\n",
			[]string{`f.csv:2: column 4 (occurred_at): "2026-06-11T10:00:00+24:00" has the offset +24:00; time zones lie between -12:00 and +14:00`}},
		{"offset -13:00", "usage", usageHeader + "E2,S1,1,2026-06-11T10:00:00-13:00\n",
			[]string{`f.csv:2: column 4 (occurred_at): "2026-06-11T10:00:00-13:00" has the offset -13:00; time zones lie between -12:00 and +14:00`}},
		{"sub-microsecond digits", "usage", usageHeader + "E2,S1,1,2026-06-30T23:59:59.9999999Z\n",
			[]string{`f.csv:2: column 4 (occurred_at): "2026-06-30T23:59:59.9999999Z" has digits finer than a microsecond (at most 6 after the seconds)`}},
		{"licence new order of 0 seats", "orders", ordersHeader + "O2,S2,C1,LIC,new,0,2026-06-12\n",
			[]string{`f.csv:2: column 6 (quantity): a new licence order needs at least 1 seat (it would bill 0.00 every month)`}},
		{"cancel with seats", "orders", ordersHeader + "O2,S1,C1,LIC,cancel,2,2026-06-12\n",
			[]string{`f.csv:2: column 6 (quantity): a cancel order leaves quantity 0, not 2`}},
		{"unknown product", "orders", ordersHeader + "O2,S2,C1,NOPE,new,1,2026-06-12\n",
			[]string{`f.csv:2: column 4 (sku): unknown product "NOPE" (import it first)`}},
		{"tax rate above 1", "tax-rates", "country,rate\nUS,7.25\n",
			[]string{`f.csv:2: column 2 (rate): rate 7.25 is above 1 (write 0.10 for 10%)`}},
		{"e-mail without @", "accounts", "account_id,name,country,currency,billing_day,email\nA2,Beta,US,USD,1,beta.example\n",
			[]string{`f.csv:2: column 6 (email): "beta.example" is not an e-mail address`}},
		{"unknown kind of product", "products", "sku,name,kind,billing\nX,Thing,subscription,anniversary\n",
			[]string{`f.csv:2: column 3 (kind): "subscription" is not one of license, usage, onetime`}},
		{"a long unknown column is quoted cut", "usage", usageHeader[:len(usageHeader)-1] + "," + strings.Repeat("n", 5000) + "\nE2,S1,1,2026-06-11T10:00:00Z,x\n",
			[]string{`f.csv:1: column 5: unknown column "` + strings.Repeat("n", 60) + `"… (5000 characters) for usage (expected: event_id, subscription_id, quantity, occurred_at)`}},
		{"a header line of 2 MiB", "usage", strings.Repeat("n,", 1<<20) + "\n",
			[]string{`f.csv:1: the line is longer than 1048576 bytes; no valid row is`}},
		{"a data line of 2 MiB", "usage", usageHeader + "E2,S1,1,2026-06-11T10:00:00Z\n" + strings.Repeat(",", 2<<20) + "\n",
			[]string{`f.csv:3: the line is longer than 1048576 bytes; no valid row is`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := importText(t, db, tc.kind, "f.csv", tc.content)
			var bad *ingest.Error
			if !errors.As(err, &bad) {
				t.Fatalf("got %v, want an import error", err)
			}
			var got []string
			for _, r := range bad.Rows {
				got = append(got, r.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if after := fingerprint(t, db); after != before {
				t.Errorf("a refused import changed the database:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

const tooPrecise = "has more than 15 significant digits, which a spreadsheet number cannot hold exactly"

const notDecimal = "not a plain decimal number (digits with an optional '.' and fraction; no sign, exponent, spaces or thousands separators)"

func TestImportErrorIsOneLinePerRow(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.NewDB(t)
	var b strings.Builder
	b.WriteString(usageHeader)
	for i := 0; i < 150; i++ {
		b.WriteString("E,S1,-1,2026-06-11T10:00:00Z\n")
	}
	_, err := importText(t, db, "usage", "many.csv", b.String())
	var bad *ingest.Error
	if !errors.As(err, &bad) {
		t.Fatalf("got %v, want an import error", err)
	}
	if len(bad.Rows) != 100 || bad.More != 50 {
		t.Errorf("listed %d rows and %d more, want 100 and 50", len(bad.Rows), bad.More)
	}
	want := `many.csv:2: column 3 (quantity): "-1": must not be negative (and 149 more bad rows in many.csv; nothing imported)`
	if err.Error() != want || strings.Contains(err.Error(), "\n") {
		t.Errorf("error = %q, want %q", err.Error(), want)
	}
}

func TestImportFileThatDoesNotExist(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.NewDB(t)
	im := &ingest.Importer{DB: store.New(db), Log: discard}
	_, err := im.ImportFile(context.Background(), ingest.Kinds[0], filepath.Join(t.TempDir(), "none.csv"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v, want a not-exist error", err)
	}
}

// Each kind's columns and references are those of its table in the store,
// in the same order: the checks of one and the COPY of the other line up.
func TestEveryKindMatchesItsTable(t *testing.T) {
	t.Parallel()
	for _, k := range ingest.Kinds {
		table, ok := store.ImportTableOf(k.Name)
		if !ok {
			t.Errorf("the store has no table for %s", k.Name)
			continue
		}
		var got, want []string
		for _, c := range k.Columns {
			got = append(got, fmt.Sprintf("%s %v", c.Name, c.Required))
		}
		for _, c := range table.Columns {
			want = append(want, fmt.Sprintf("%s %v", c.Name, c.Required))
		}
		for _, r := range k.Refs {
			got = append(got, "ref "+r.Column)
		}
		for _, r := range table.Refs {
			want = append(want, "ref "+r.Column)
		}
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			t.Errorf("%s: the kind has %s; its table %s", k.Name, strings.Join(got, ", "), strings.Join(want, ", "))
		}
	}
}
