package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openbilling/billing/internal/testkit/pgtest"
)

func TestMain(m *testing.M) {
	code := pgtest.Run(m)
	if binaryPath != "" {
		os.RemoveAll(filepath.Dir(binaryPath))
	}
	os.Exit(code)
}

// billing runs the command line in-process and returns its exit status and output.
func billing(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = runMain(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestMigrateCreatesThenIsANoOp(t *testing.T) {
	t.Parallel()
	_, url := pgtest.NewEmptyDB(t)
	code, out, errOut := billing(t, "migrate", "--database-url", url)
	if code != 0 || out != "schema migrated to version 20 (applied 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20)\n"+
		"sandbox gateway's books migrated to version 2 (applied 1, 2)\n"+
		"job queue (public) migrated to River version 8 (applied 1, 2, 3, 4, 5, 6, 7, 8)\n"+
		"job queue (river_units) migrated to River version 8 (applied 1, 2, 3, 4, 5, 6, 7, 8)\n"+
		"job queue (river_webhooks) migrated to River version 8 (applied 1, 2, 3, 4, 5, 6, 7, 8)\n" {
		t.Fatalf("first migrate: %d %q %q", code, out, errOut)
	}
	code, out, errOut = billing(t, "migrate", "--database-url", url)
	if code != 0 || out != "schema is current (version 20)\n" {
		t.Fatalf("second migrate: %d %q %q", code, out, errOut)
	}
}

func TestImportThroughTheCommandLine(t *testing.T) {
	t.Parallel()
	_, url := pgtest.NewDB(t)
	examples := filepath.Join("..", "..", "examples")
	code, out, errOut := billing(t, "import", "accounts", filepath.Join(examples, "accounts.csv"), "--database-url", url)
	if code != 0 || out != "imported accounts from ../../examples/accounts.csv: 3 rows read, 3 added, 0 already present\n" || errOut != "" {
		t.Fatalf("import: %d %q %q", code, out, errOut)
	}
	code, out, _ = billing(t, "import", "--database-url", url, "accounts", filepath.Join(examples, "accounts.csv"))
	if code != 0 || !strings.Contains(out, "0 added, 3 already present") {
		t.Errorf("re-import: %d %q", code, out)
	}
}

func TestImportOfABadFilePrintsOneLinePerBadRow(t *testing.T) {
	t.Parallel()
	_, url := pgtest.NewDB(t)
	file := filepath.Join(t.TempDir(), "usage.csv")
	content := "event_id,subscription_id,quantity,occurred_at\n" +
		"E1,S1,1,2026-06-01T00:00:00Z\n" +
		"E2,S1,1e5,2026-06-01T00:00:00Z\n" +
		"E3,S1,2,2026-06-01T00:00:00\n"
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := billing(t, "import", "usage", file, "--database-url", url)
	want := `usage.csv:3: column 3 (quantity): "1e5": not a plain decimal number (digits with an optional '.' and fraction; no sign, exponent, spaces or thousands separators)
usage.csv:4: column 4 (occurred_at): "2026-06-01T00:00:00" has no time zone (add Z or an offset such as +02:00)
billing: import of ` + file + ` failed: 2 bad rows; nothing imported
`
	if code != 1 || out != "" || errOut != want {
		t.Errorf("exit %d\nstdout %q\nstderr:\n%s\nwant stderr:\n%s", code, out, errOut, want)
	}
}

func TestUsageMistakes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, "billing: unknown command \"frobnicate\" (run 'billing help')\n"},
		{[]string{"import", "invoices", "x.csv"}, "billing: unknown import kind \"invoices\" (one of: accounts, customers, products, prices, tax-rates, late-fees, orders, usage)\n"},
		{[]string{"import", "usage"}, "billing: usage: billing import KIND FILE.csv\n"},
	} {
		code, _, errOut := billing(t, tc.args...)
		if code != 2 || errOut != tc.want {
			t.Errorf("billing %v: exit %d, stderr %q; want 2, %q", tc.args, code, errOut, tc.want)
		}
	}
}

func TestNoDatabaseConfigured(t *testing.T) {
	// Not parallel: it clears the environment variable for the process.
	t.Setenv("BILLING_DATABASE_URL", "")
	t.Setenv("BILLING_CONFIG", "")
	code, _, errOut := billing(t, "migrate")
	want := "billing: no database configured: set --database-url, BILLING_DATABASE_URL or database_url in the config file\n"
	if code != 1 || errOut != want {
		t.Errorf("exit %d, stderr %q; want 1, %q", code, errOut, want)
	}
}

func TestConfigCheckMasksThePassword(t *testing.T) {
	t.Parallel()
	code, out, errOut := billing(t, "config", "check", "--database-url", "postgres://billing:hunter2@db:5432/billing", "--grace-days", "2")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if strings.Contains(out, "hunter2") || !strings.Contains(out, "postgres://billing:*****@db:5432/billing") {
		t.Errorf("config check printed:\n%s", out)
	}
	if !strings.Contains(out, "grace_days        2 ") || !strings.Contains(out, "(flag)") {
		t.Errorf("config check printed:\n%s", out)
	}
	code, _, errOut = billing(t, "config", "check", "--log-level", "loud")
	if code != 1 || errOut != "billing: invalid configuration: log_level \"loud\" is not debug, info, warn or error\n" {
		t.Errorf("invalid config: exit %d, stderr %q", code, errOut)
	}
}

func TestHelpDescribesTheCommands(t *testing.T) {
	t.Parallel()
	code, out, _ := billing(t, "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"migrate", "import KIND FILE.csv", "config check", "--database-url", "BILLING_DATABASE_URL"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
}
