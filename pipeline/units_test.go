package pipeline

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/openbilling/billing/internal/testkit/pgtest"
	"github.com/openbilling/billing/pipeline/units"
	"github.com/openbilling/billing/store"
)

// The units of a stage rate with the prices and tax rates the run began the
// stage with: a worker that reads other prices refuses the unit, and the
// run does it itself.
func TestAUnitRefusesPricesChangedSinceItsRunBeganTheStage(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.NewDB(t)
	ctx := t.Context()
	if _, err := db.Exec(`INSERT INTO products (sku, name, kind, billing) VALUES ('SEAT', 'Seat', 'license', 'anniversary');
		INSERT INTO prices (sku, currency, unit_price) VALUES ('SEAT', 'USD', 4.00);
		INSERT INTO tax_rates (country, rate) VALUES ('US', 0)`); err != nil {
		t.Fatal(err)
	}
	run := &Pipeline{DB: store.New(db), Log: slog.New(slog.DiscardHandler)}
	worker := &Pipeline{DB: store.New(db), Log: slog.New(slog.DiscardHandler)}
	began, err := run.loadShared(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	unit := units.Unit{RunID: 7, Stage: string(StageClose), Catalog: began.cat.version}
	same, err := worker.sharedFor(ctx, unit)
	if err != nil || same.cat.version != began.cat.version || len(same.cat.prices) != 1 {
		t.Fatalf("a worker reading the same prices: %v, version %q, want %q", err, same.cat.version, began.cat.version)
	}
	if _, err := db.Exec(`UPDATE prices SET unit_price = 4.50`); err != nil {
		t.Fatal(err)
	}
	other := &Pipeline{DB: store.New(db), Log: slog.New(slog.DiscardHandler)}
	_, err = other.sharedFor(ctx, unit)
	if err == nil || !strings.Contains(err.Error(), "the prices or tax rates changed after run 7 began its close stage") {
		t.Fatalf("a worker reading changed prices: %v", err)
	}
	// The run itself still has the stage's catalog.
	if mine, err := run.sharedFor(ctx, unit); err != nil || mine != began {
		t.Fatalf("the run's own catalog: %v", err)
	}
}
