package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/openbilling/billing/internal/testkit/pgtest"
	"github.com/openbilling/billing/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// countRows counts the rows of the scratch table a test writes to.
func countRows(t *testing.T, raw interface {
	Get(dest any, query string, args ...any) error
}) int {
	t.Helper()
	var n int
	if err := raw.Get(&n, `SELECT count(*) FROM scratch`); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestInTxCommitsOnNilAndRollsBackOnError(t *testing.T) {
	t.Parallel()
	raw, _ := pgtest.NewDB(t)
	raw.MustExec(`CREATE TABLE scratch (id int PRIMARY KEY)`)
	db := store.New(raw)
	ctx := context.Background()
	exec := func(tx *store.Tx, id int) error {
		_, err := tx.Driver().ExecContext(ctx, `INSERT INTO scratch VALUES ($1)`, id)
		return err
	}

	if err := db.InTx(ctx, func(tx *store.Tx) error { return exec(tx, 1) }); err != nil {
		t.Fatal(err)
	}
	failed := errors.New("the work failed")
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if err := exec(tx, 2); err != nil {
			return err
		}
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatalf("InTx returned %v, want the function's error", err)
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if err := exec(tx, 3); err != nil {
			return err
		}
		return store.ErrRollback
	})
	if err != nil {
		t.Fatalf("InTx with ErrRollback returned %v, want nil", err)
	}
	if got := countRows(t, raw); got != 1 {
		t.Fatalf("%d rows after a commit, a failure and a dry run; want 1", got)
	}
}

func TestASnapshotIsReadOnlyAndTheDriversErrorsAreRead(t *testing.T) {
	t.Parallel()
	raw, _ := pgtest.NewDB(t)
	raw.MustExec(`CREATE TABLE scratch (id int PRIMARY KEY)`)
	raw.MustExec(`INSERT INTO scratch VALUES (1)`)
	db := store.New(raw)
	ctx := context.Background()

	err := db.InSnapshot(ctx, func(tx *store.Tx) error {
		_, err := tx.Driver().ExecContext(ctx, `INSERT INTO scratch VALUES (2)`)
		return err
	})
	if err == nil || !store.IsDatabaseError(err) || store.IsUniqueViolation(err) {
		t.Fatalf("a write in a snapshot returned %v; want PostgreSQL's refusal (read-only transaction)", err)
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Driver().ExecContext(ctx, `INSERT INTO scratch VALUES (1)`)
		return err
	})
	if !store.IsUniqueViolation(err) {
		t.Fatalf("a repeated key returned %v; want a unique violation", err)
	}
	if store.IsDatabaseError(context.Canceled) || store.IsUniqueViolation(nil) {
		t.Fatal("an error that is not PostgreSQL's reads as one")
	}
	if got := countRows(t, raw); got != 1 {
		t.Fatalf("%d rows, want 1", got)
	}
}

func TestAConnKeepsItsSessionAcrossTransactions(t *testing.T) {
	t.Parallel()
	raw, _ := pgtest.NewDB(t)
	db := store.New(raw)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Two transactions of one session run on one backend: what lives as
	// long as the session (an advisory lock, a temporary table) is there
	// for both.
	var first, second int
	if err := conn.InTx(ctx, func(tx *store.Tx) error {
		return tx.Driver().QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&first)
	}); err != nil {
		t.Fatal(err)
	}
	if err := conn.InSnapshot(ctx, func(tx *store.Tx) error {
		return tx.Driver().QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&second)
	}); err != nil {
		t.Fatal(err)
	}
	if first == 0 || first != second {
		t.Fatalf("the session's transactions ran on backends %d and %d; want one", first, second)
	}
}

func TestAnUnknownAccountHasNoContact(t *testing.T) {
	t.Parallel()
	raw, _ := pgtest.NewDB(t)
	raw.MustExec(`INSERT INTO accounts (account_id, name, country, currency, billing_day, email)
		VALUES ('P1', 'Pinewood Software', 'US', 'USD', 15, 'billing@pinewood.example')`)
	db := store.New(raw)
	ctx := context.Background()
	c, found, err := store.AccountContact(ctx, db, "P1")
	if err != nil || !found || c.Email != "billing@pinewood.example" {
		t.Fatalf("AccountContact(P1) = %+v, %v, %v", c, found, err)
	}
	if _, found, err := store.AccountContact(ctx, db, "P2"); err != nil || found {
		t.Fatalf("AccountContact(P2) found %v, %v; want not found", found, err)
	}
}

func TestColumnNamesAreFieldNamesInSnakeCase(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"TaxRate": "tax_rate", "SubscriptionID": "subscription_id", "SKU": "sku", "ID": "id", "AccountID": "account_id",
		"EffectiveUnitPrice": "effective_unit_price", "HTTPServer": "http_server", "Last4": "last4", "DaysCharged": "days_charged",
	} {
		if got := store.SnakeCase(name); got != want {
			t.Errorf("%s is %s, want %s", name, got, want)
		}
	}
}
