package synthetic_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/openbilling/billing/internal/synthetic"
	"github.com/openbilling/billing/internal/testkit/pgtest"
	"github.com/openbilling/billing/pipeline"
	"github.com/openbilling/billing/pipeline/ingest"
	"github.com/openbilling/billing/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func digest(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		parts = append(parts, e.Name()+"="+hex.EncodeToString(sum[:]))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

func TestTheSameScaleAndSeedGiveTheSameFiles(t *testing.T) {
	t.Parallel()
	a, b := t.TempDir(), t.TempDir()
	counts, err := synthetic.Generate(a, 0.002, 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := synthetic.Generate(b, 0.002, 7, nil); err != nil {
		t.Fatal(err)
	}
	if digest(t, a) != digest(t, b) {
		t.Error("two generations with the same seed differ")
	}
	want := map[string]int64{"accounts.csv": 20, "customers.csv": 200, "products.csv": 9, "prices.csv": 104, "tax-rates.csv": 9,
		"orders.csv": 2600, "usage.csv": 19900, "usage-late.csv": 100}
	for f, n := range want {
		if counts[f] != n {
			t.Errorf("%s: %d rows, want %d", f, counts[f], n)
		}
	}
	c := t.TempDir()
	if _, err := synthetic.Generate(c, 0.002, 8, nil); err != nil {
		t.Fatal(err)
	}
	if digest(t, a) == digest(t, c) {
		t.Error("another seed gave the same files")
	}
}

// The workload imports without a bad row and bills: every kind of product,
// held usage for unknown subscriptions, invoices in several currencies.
func TestTheWorkloadImportsAndBills(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := synthetic.Generate(dir, 0.002, 1, nil); err != nil {
		t.Fatal(err)
	}
	db, _ := pgtest.NewDB(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	im := &ingest.Importer{DB: store.New(db), Log: log}
	for _, k := range ingest.Kinds {
		if _, err := im.ImportFile(context.Background(), k, filepath.Join(dir, k.Name+".csv")); err != nil {
			t.Fatal(err)
		}
	}
	asOf, _ := time.Parse(time.RFC3339, synthetic.AsOf)
	rep, err := (&pipeline.Pipeline{DB: store.New(db), Log: log}).Run(context.Background(), asOf, pipeline.AllStages())
	if err != nil {
		t.Fatal(err)
	}
	var currencies, types int
	if err := db.Get(&currencies, "SELECT count(DISTINCT currency) FROM invoices"); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&types, "SELECT count(DISTINCT charge_type) FROM invoice_lines"); err != nil {
		t.Fatal(err)
	}
	unknown := 0
	for _, h := range rep.Held {
		if strings.Contains(h.Reason, "no new order has created") {
			unknown += h.Records
		}
	}
	if rep.Invoices == 0 || currencies < 5 || types < 6 || unknown == 0 {
		t.Errorf("%d invoices in %d currencies with %d charge types, %d held unknown-subscription events", rep.Invoices, currencies, types, unknown)
	}
}

// Months billed one after another: the first month's files are the
// one-month workload's, every later month brings orders and usage of its
// own, and no month's activity is late for a window already closed.
func TestMonthsBillOneAfterAnother(t *testing.T) {
	t.Parallel()
	one, three := t.TempDir(), t.TempDir()
	if _, err := synthetic.Generate(one, 0.002, 1, nil); err != nil {
		t.Fatal(err)
	}
	counts, err := synthetic.GenerateMonths(three, 0.002, 1, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"orders-2.csv", "usage-2.csv", "orders-3.csv", "usage-3.csv"} {
		if err := os.Rename(filepath.Join(three, f), filepath.Join(t.TempDir(), f)); err != nil {
			t.Fatal(err)
		}
	}
	if digest(t, one) != digest(t, three) {
		t.Error("the first month's files differ from the one-month workload's")
	}
	want := map[string]int64{"orders-2.csv": 656, "usage-2.csv": 19900, "orders-3.csv": 666, "usage-3.csv": 19900}
	for f, n := range want {
		if counts[f] != n {
			t.Errorf("%s: %d rows, want %d", f, counts[f], n)
		}
	}

	dir := t.TempDir()
	if _, err := synthetic.GenerateMonths(dir, 0.002, 1, 3, nil); err != nil {
		t.Fatal(err)
	}
	db, _ := pgtest.NewDB(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	im := &ingest.Importer{DB: store.New(db), Log: log}
	var invoices []int
	for m := 1; m <= 3; m++ {
		for _, k := range ingest.Kinds {
			if m > 1 && k.Name != "orders" && k.Name != "usage" {
				continue
			}
			if _, err := im.ImportFile(context.Background(), k, filepath.Join(dir, synthetic.File(k.Name, m))); err != nil {
				t.Fatal(err)
			}
		}
		asOf, _ := time.Parse(time.RFC3339, synthetic.AsOfMonth(m))
		rep, err := (&pipeline.Pipeline{DB: store.New(db), Log: log}).Run(context.Background(), asOf, pipeline.AllStages())
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Late) > 0 {
			t.Errorf("month %d: late records %+v", m, rep.Late)
		}
		invoices = append(invoices, rep.Invoices)
	}
	if fmt.Sprint(invoices) != "[20 108 102]" {
		t.Errorf("invoices per month %v", invoices)
	}
}
