// Package store opens the billing database and keeps its schema current.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the PostgreSQL driver, registered as "postgres"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"

	billingsql "github.com/openbilling/billing/sql"
)

// Open connects to the database at url and checks that it answers.
// Errors never repeat the URL, which may hold a password.
func Open(ctx context.Context, url string) (*DB, error) {
	if url == "" {
		return nil, fmt.Errorf("no database configured: set --database-url, BILLING_DATABASE_URL or database_url in the config file")
	}
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connecting to database: %w", err)
	}
	return New(db), nil
}

// MigrationResult says which migrations one Migrate call applied.
type MigrationResult struct {
	Applied []int64 // versions applied by this call, in order
	Version int64   // the schema version afterwards
	// Sandbox and SandboxVersion are the same of the sandbox gateway's
	// books, a migration line of their own.
	Sandbox        []int64
	SandboxVersion int64
	// Queue lists, per schema of the job queue's tables, the River
	// migrations this call applied (none when they were current).
	Queue []QueueMigration
}

// QueueMigration is what one Migrate call applied of River's migrations
// to the job queue's tables in one schema, in order: the last is the
// version they are at afterwards.
type QueueMigration struct {
	Schema  string
	Applied []int
}

// Migrate creates or upgrades the schema to the newest embedded migration.
// It is a no-op when the schema is current, and safe to run from several
// processes at once: a PostgreSQL advisory lock lets one migrate at a time.
func Migrate(ctx context.Context, db *DB) (MigrationResult, error) {
	provider, err := migrations(db, productLine)
	if err != nil {
		return MigrationResult{}, err
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return MigrationResult{}, fmt.Errorf("migrating schema: %w", err)
	}
	var out MigrationResult
	for _, r := range results {
		out.Applied = append(out.Applied, r.Source.Version)
	}
	if out.Version, err = provider.GetDBVersion(ctx); err != nil {
		return MigrationResult{}, fmt.Errorf("reading schema version: %w", err)
	}
	sandbox, err := migrations(db, sandboxLine)
	if err != nil {
		return MigrationResult{}, err
	}
	if results, err = sandbox.Up(ctx); err != nil {
		return MigrationResult{}, fmt.Errorf("migrating the sandbox gateway's books: %w", err)
	}
	for _, r := range results {
		out.Sandbox = append(out.Sandbox, r.Source.Version)
	}
	if out.SandboxVersion, err = sandbox.GetDBVersion(ctx); err != nil {
		return MigrationResult{}, fmt.Errorf("reading the sandbox gateway's version: %w", err)
	}
	if out.Queue, err = migrateQueue(ctx, db); err != nil {
		return MigrationResult{}, err
	}
	return out, nil
}

// A migration line: its embedded folder, the table of its versions, and
// the advisory lock that lets one process at a time apply it.
type migrationLine struct {
	files  fs.FS
	dir    string
	table  string
	lockID int64
}

// The product's schema, and apart from it the sandbox gateway's books.
var (
	productLine = migrationLine{billingsql.Migrations, "migrations", "goose_db_version", lock.DefaultLockID}
	sandboxLine = migrationLine{billingsql.Sandbox, "sandbox", "sandbox_db_version", lock.DefaultLockID + 1}
)

func migrations(db *DB, line migrationLine) (*goose.Provider, error) {
	migrations, err := fs.Sub(line.files, line.dir)
	if err != nil {
		return nil, fmt.Errorf("reading embedded migrations: %w", err)
	}
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(line.lockID))
	if err != nil {
		return nil, fmt.Errorf("creating migration lock: %w", err)
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, db.x.DB, migrations, goose.WithSessionLocker(locker), goose.WithTableName(line.table))
	if err != nil {
		return nil, fmt.Errorf("preparing migrations: %w", err)
	}
	return provider, nil
}

// CheckSchema says what to do when the database's schema is not the one
// this binary was built for: a long-lived process (billing worker) checks
// it once as it starts.
func CheckSchema(ctx context.Context, db *DB) error {
	for _, line := range []struct {
		migrationLine
		what string
	}{{productLine, "the database schema"}, {sandboxLine, "the sandbox gateway's books"}} {
		provider, err := migrations(db, line.migrationLine)
		if err != nil {
			return err
		}
		current, target, err := provider.GetVersions(ctx)
		if err != nil {
			return fmt.Errorf("reading the version of %s: %w", line.what, err)
		}
		switch {
		case current < target:
			return fmt.Errorf("%s is at version %d and this billing needs %d: run billing migrate", line.what, current, target)
		case current > target:
			return fmt.Errorf("%s is at version %d, newer than this billing's %d: upgrade billing", line.what, current, target)
		}
	}
	return checkQueue(ctx, db)
}

// checkQueue says to run billing migrate when the job queue's tables, in
// either schema, lack a migration of the River this billing was built with
// (an installation upgraded without billing migrate).
func checkQueue(ctx context.Context, db *DB) error {
	for _, schema := range queueSchemas {
		migrator, err := queueMigrator(db, schema)
		if err != nil {
			return err
		}
		result, err := migrator.Validate(ctx, nil)
		if err != nil {
			return fmt.Errorf("reading the job queue's migrations: %w", err)
		}
		if !result.OK {
			return fmt.Errorf("the job queue's tables (%s) are older than this billing's (%s): run billing migrate",
				queueSchemaName(schema), strings.Join(result.Messages, "; "))
		}
	}
	return nil
}

// queueSchemas are the schemas of the job queue's tables: the background
// work's (the search path's), the runs' units (UnitSchema) and the webhook
// deliveries (WebhookSchema).
var queueSchemas = []string{"", UnitSchema, WebhookSchema}

func queueSchemaName(schema string) string {
	if schema == "" {
		return "public"
	}
	return schema
}

// queueMigrator is River's migrator of the tables in schema; its own log
// is silenced, the callers say what happened.
func queueMigrator(db *DB, schema string) (*rivermigrate.Migrator[*sql.Tx], error) {
	migrator, err := rivermigrate.New(riverdatabasesql.New(db.x.DB), &rivermigrate.Config{
		Schema: schema, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return nil, fmt.Errorf("preparing the job queue's migrations: %w", err)
	}
	return migrator, nil
}

// queueMigrationLock serialises the job queue's migrations between processes.
const queueMigrationLock = 0x52495645 // "RIVE"

// migrateQueue creates or upgrades the tables of the job queue (River) that
// the daemon's background work runs on. Each of River's migrations commits
// on its own (one adds an enum value the next uses); processes migrating at
// once take turns on a lock.
//
// The runs' units of work have tables of their own, in UnitSchema: the
// processes working them elect a leader of their own (which rescues the
// jobs of a killed worker), apart from the daemons, whose leader schedules
// the periodic background work.
func migrateQueue(ctx context.Context, db *DB) ([]QueueMigration, error) {
	conn, err := db.x.Connx(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, queueMigrationLock); err != nil {
		return nil, err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, queueMigrationLock) //nolint:errcheck // the session ends next
	for _, schema := range []string{UnitSchema, WebhookSchema} {
		if _, err := conn.ExecContext(ctx, `CREATE SCHEMA IF NOT EXISTS `+schema); err != nil {
			return nil, err
		}
	}
	var applied []QueueMigration
	for _, schema := range queueSchemas {
		migrator, err := queueMigrator(db, schema)
		if err != nil {
			return nil, err
		}
		res, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
		if err != nil {
			return nil, fmt.Errorf("migrating the job queue's tables (%s): %w", queueSchemaName(schema), err)
		}
		if len(res.Versions) == 0 {
			continue
		}
		m := QueueMigration{Schema: queueSchemaName(schema)}
		for _, v := range res.Versions {
			m.Applied = append(m.Applied, v.Version)
		}
		applied = append(applied, m)
	}
	return applied, nil
}

// UnitSchema holds the job queue's tables of the runs' units of work.
const UnitSchema = "river_units"

// WebhookSchema holds the job queue's tables of webhook deliveries (§14):
// apart, so that their leader rescues a killed process's deliveries within
// a minute, where the other jobs may run for many.
const WebhookSchema = "river_webhooks"

// getOne reads the one row of a query into a T; found is false when the
// query returns no row.
func getOne[T any](ctx context.Context, q sqlx.QueryerContext, query string, args ...any) (row T, found bool, err error) {
	err = sqlx.GetContext(ctx, q, &row, query, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return row, false, nil
	}
	return row, err == nil, err
}
