package pipeline_test

import (
	"testing"

	"github.com/openbilling/billing/internal/testkit/pgtest"
	billingsql "github.com/openbilling/billing/sql"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Every embedded query parses and plans against the current schema.
func TestEveryQueryPreparesAgainstTheSchema(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.NewDB(t)
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The session table the close and rate stages make for themselves.
	if _, err := conn.ExecContext(t.Context(), `CREATE TEMP TABLE usage_days (subscription_id text, day date, quantity numeric, events bigint)`); err != nil {
		t.Fatal(err)
	}
	// The staging table an import checks its rules against.
	if _, err := conn.ExecContext(t.Context(), `CREATE TEMP TABLE import_stage (line bigint, sku text, action text, quantity numeric)`); err != nil {
		t.Fatal(err)
	}
	names := billingsql.QueryNames()
	if len(names) < 20 {
		t.Fatalf("only %d queries embedded", len(names))
	}
	for _, name := range names {
		if name == "usage_days_create" {
			continue // creates usage_days itself
		}
		// Each in a transaction of its own: a COPY can only start inside one.
		tx, err := conn.BeginTx(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if stmt, err := tx.PrepareContext(t.Context(), billingsql.Prepared(name)); err != nil {
			t.Errorf("%s: %v", name, err)
		} else {
			stmt.Close()
		}
		_ = tx.Rollback()
	}
}
