package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/openbilling/billing/internal/testkit/pgtest"
	"github.com/openbilling/billing/internal/testkit/workload"
	"github.com/openbilling/billing/invoices"
)

// operator drives the command line against a fresh database, as an
// operator would: files in, commands run, JSON out.
type operator struct {
	t   *testing.T
	db  *sqlx.DB
	url string
	dir string
}

func newOperator(t *testing.T) *operator {
	t.Helper()
	db, url := pgtest.NewDB(t)
	return &operator{t: t, db: db, url: url, dir: t.TempDir()}
}

// billing runs a command in-process with this operator's database and
// output folder; it fails the test unless the command succeeds.
func (o *operator) billing(args ...string) string {
	o.t.Helper()
	code, out, errOut := billing(o.t, append(args, "--database-url", o.url, "--output-dir", filepath.Join(o.dir, "out"), "--log-level", "warn")...)
	if code != 0 {
		o.t.Fatalf("billing %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// load imports CSV content of each kind, in dependency order.
func (o *operator) load(files map[string]string) {
	o.t.Helper()
	for _, kind := range workload.Kinds {
		content, ok := files[kind]
		if !ok {
			continue
		}
		path := filepath.Join(o.dir, fmt.Sprintf("%s-%d.csv", kind, len(content)))
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			o.t.Fatal(err)
		}
		o.billing("import", kind, path)
	}
}

// loadExamples imports the sample data of examples/.
func (o *operator) loadExamples() {
	o.t.Helper()
	for _, kind := range workload.Kinds {
		o.billing("import", kind, filepath.Join("..", "..", "examples", kind+".csv"))
	}
}

func (o *operator) invoices(account string) []invoices.Invoice {
	o.t.Helper()
	args := []string{"invoices", "--json"}
	if account != "" {
		args = append(args, "--account", account)
	}
	var list []invoices.Invoice
	if err := json.Unmarshal([]byte(o.billing(args...)), &list); err != nil {
		o.t.Fatal(err)
	}
	// Lines keep no foreign key to their invoice (migration 00003): the
	// pipeline alone keeps every line with its invoice.
	var orphans int
	if err := o.db.Get(&orphans, `SELECT count(*) FROM invoice_lines l WHERE NOT EXISTS (SELECT 1 FROM invoices i WHERE i.number = l.invoice_number)`); err != nil || orphans != 0 {
		o.t.Fatalf("%d invoice lines without their invoice (%v)", orphans, err)
	}
	return list
}

func (o *operator) invoice(number string) invoices.Invoice {
	o.t.Helper()
	var inv invoices.Invoice
	if err := json.Unmarshal([]byte(o.billing("invoice", number, "--json")), &inv); err != nil {
		o.t.Fatal(err)
	}
	return inv
}

// summary writes invoices one per line: number, account, type, billing,
// currency, window, issue date, subtotal, tax, total, adjusts.
func summary(list []invoices.Invoice) string {
	var out []string
	for _, inv := range list {
		adjusts := "-"
		if inv.Adjusts != nil {
			adjusts = *inv.Adjusts
		}
		out = append(out, fmt.Sprintf("%s %s %s %s %s %s–%s issued %s %s+%s=%s adjusts %s", inv.Number, inv.AccountID, inv.Type,
			inv.Billing, inv.Currency, inv.WindowStart, inv.WindowEnd, inv.IssueDate, inv.Subtotal, inv.Tax, inv.Total, adjusts))
	}
	return strings.Join(out, "\n")
}

// lineSummary writes an invoice's lines as §4.1 does.
func lineSummary(inv invoices.Invoice) string {
	var out []string
	for _, l := range inv.Lines {
		order := "-"
		if l.OrderID != nil {
			order = *l.OrderID
		}
		out = append(out, fmt.Sprintf("%s %s %s–%s %s×%s=%s tax %s %s", l.CustomerID, order, l.ChargeStart, l.ChargeEnd,
			l.EffectiveUnitPrice, l.Quantity, l.Amount, l.Tax, l.ChargeType))
	}
	return strings.Join(out, "\n")
}

func assertText(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\n%s\nwant:\n%s", what, got, want)
	}
}

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// binary builds the billing command once per test run, for tests that need
// real processes (concurrent runs, kill -9).
func binary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "billing-bin-")
		if err != nil {
			binaryErr = err
			return
		}
		binaryPath = filepath.Join(dir, "billing")
		var stderr bytes.Buffer
		cmd := exec.CommandContext(context.Background(), "go", "build", "-o", binaryPath, ".")
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			binaryErr = fmt.Errorf("go build: %w: %s", err, stderr.String())
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return binaryPath
}
