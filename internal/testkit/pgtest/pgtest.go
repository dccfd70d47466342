// Package pgtest gives tests a real PostgreSQL database of their own.
//
// It uses the server named by BILLING_TEST_DATABASE_URL when set; otherwise
// it starts a throwaway cluster with scripts/postgres.sh for the test binary
// and stops it afterwards. Each test gets a fresh, migrated database that is
// dropped when the test ends. With no server to be had, tests fail with the
// reason: they never skip.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/openbilling/billing/store"
)

// EnvURL names the variable holding a test server's URL; tests create and
// drop databases of their own on it.
const EnvURL = "BILLING_TEST_DATABASE_URL"

var (
	serverURL  string // a URL of the server; its database part is replaced per test
	startError error
)

// Main runs a package's tests with a PostgreSQL server: call it from TestMain.
func Main(m *testing.M) {
	os.Exit(Run(m))
}

// Run is Main for a TestMain with clean-up of its own: it returns the exit
// status instead of exiting.
func Run(m *testing.M) int {
	serverURL = os.Getenv(EnvURL)
	if serverURL == "" {
		dir, err := os.MkdirTemp("", "billing-pg-")
		if err != nil {
			startError = err
			return m.Run()
		}
		defer os.RemoveAll(dir)
		out, err := exec.Command(Script(), "start", dir).Output()
		defer exec.Command(Script(), "stop", dir).Run() //nolint:errcheck // best effort at exit
		if err != nil {
			startError = fmt.Errorf("starting a throwaway PostgreSQL with %s: %w: %s", Script(), err, stderrOf(err))
			return m.Run()
		}
		serverURL = strings.TrimSpace(string(out))
	}
	return m.Run()
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return strings.TrimSpace(string(ee.Stderr))
	}
	return ""
}

// Script is the path of scripts/postgres.sh in this repository.
func Script() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "scripts", "postgres.sh")
}

// NewDB creates a fresh database with the current schema for the test and
// returns it with its URL. The database is dropped when the test ends.
func NewDB(t testing.TB) (*sqlx.DB, string) {
	t.Helper()
	db, dbURL := NewEmptyDB(t)
	if _, err := store.Migrate(context.Background(), store.New(db)); err != nil {
		t.Fatalf("migrating test database: %v", err)
	}
	return db, dbURL
}

// NewEmptyDB creates a fresh database without any schema.
func NewEmptyDB(t testing.TB) (*sqlx.DB, string) {
	t.Helper()
	if startError != nil {
		t.Fatalf("no PostgreSQL for tests: %v (set %s to a server this test may create databases on)", startError, EnvURL)
	}
	if serverURL == "" {
		t.Fatalf("no PostgreSQL for tests: pgtest.Main was not called from TestMain and %s is not set", EnvURL)
	}
	ctx := context.Background()
	admin, err := sqlx.ConnectContext(ctx, "postgres", withDatabase(t, serverURL, "postgres"))
	if err != nil {
		t.Fatalf("no PostgreSQL for tests: %v", err)
	}
	defer admin.Close()
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	name := "billing_test_" + hex.EncodeToString(suffix)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("creating test database: %v", err)
	}
	dbURL := withDatabase(t, serverURL, name)
	db, err := sqlx.ConnectContext(ctx, "postgres", dbURL)
	if err != nil {
		t.Fatalf("opening test database: %v", err)
	}
	t.Cleanup(func() {
		db.Close()
		admin, err := sqlx.ConnectContext(ctx, "postgres", withDatabase(t, serverURL, "postgres"))
		if err != nil {
			t.Errorf("dropping test database: %v", err)
			return
		}
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("dropping test database %s: %v", name, err)
		}
	})
	return db, dbURL
}

func withDatabase(t testing.TB, raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("%s is not a URL: %v", EnvURL, err)
	}
	u.Path = "/" + name
	return u.String()
}
