package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"unicode"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// The handles to the database. Outside this package the database is held
// as a DB, a Conn or a Tx, which run no SQL of their own: every statement
// is one of this package's functions, and only this package imports the
// driver (checked by internal/testkit/layers).

// DB is the billing database: a pool of connections.
type DB struct{ x *sqlx.DB }

// Conn is one session of the database, for what lives as long as the
// session: advisory locks, temporary tables, session settings.
type Conn struct{ x *sqlx.Conn }

// Tx is one transaction.
type Tx struct{ x *sqlx.Tx }

// Queryer is what a query runs on: a DB, a Conn or a Tx.
type Queryer interface{ ext() sqlx.ExtContext }

func (d *DB) ext() sqlx.ExtContext { return d.x }
func (t *Tx) ext() sqlx.ExtContext { return t.x }

// A Conn runs queries without a transaction of its own (sqlx.Conn lacks
// the DriverName and Rebind of an ExtContext; PostgreSQL needs neither).
func (c *Conn) ext() sqlx.ExtContext { return connExt{c.x} }

type connExt struct{ *sqlx.Conn }

func (connExt) DriverName() string         { return "postgres" }
func (connExt) Rebind(query string) string { return query }
func (c connExt) BindNamed(q string, arg any) (string, []any, error) {
	return sqlx.BindNamed(sqlx.DOLLAR, q, arg)
}

// New wraps a database opened elsewhere (a test's) as a DB. The product
// opens its database with Open.
func New(x *sqlx.DB) *DB { return &DB{x: x} }

// The store maps a struct's fields to the columns a query returns by the
// field's db tag, else by its name in snake case (AccountID is account_id,
// SKU sku), so the rules' types scan as they are, without tags of the
// database's. sqlx reads the mapping from its package variable, for every
// handle and prepared statement alike; it is set once, here, before any
// database is opened.
func init() { sqlx.NameMapper = snakeCase }

// snakeCase is a Go name in snake case: TaxRate → tax_rate,
// SubscriptionID → subscription_id, SKU → sku.
func snakeCase(name string) string {
	var b strings.Builder
	runes := []rune(name)
	for i, r := range runes {
		upper := unicode.IsUpper(r)
		if upper && i > 0 {
			prevLower := unicode.IsLower(runes[i-1]) || unicode.IsDigit(runes[i-1])
			nextLower := i+1 < len(runes) && unicode.IsLower(runes[i+1])
			if prevLower || (unicode.IsUpper(runes[i-1]) && nextLower) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// NewTx wraps a transaction begun elsewhere (a test's) as a Tx.
func NewTx(x *sqlx.Tx) *Tx { return &Tx{x: x} }

// Close closes every connection of the pool.
func (d *DB) Close() error { return d.x.Close() }

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error { return d.x.PingContext(ctx) }

// LimitConnections keeps at most n connections open, all of them idle
// between requests rather than closed.
func (d *DB) LimitConnections(n int) {
	d.x.SetMaxOpenConns(n)
	d.x.SetMaxIdleConns(n)
}

// KeepIdle keeps up to n connections open between queries rather than
// closing all but two, without bounding how many are open: for processes
// whose many workers each run short queries (webhook deliveries).
func (d *DB) KeepIdle(n int) { d.x.SetMaxIdleConns(n) }

// Conn takes one session from the pool; Close gives it back.
func (d *DB) Conn(ctx context.Context) (*Conn, error) {
	c, err := d.x.Connx(ctx)
	if err != nil {
		return nil, err
	}
	return &Conn{x: c}, nil
}

// Close gives the session back to the pool.
func (c *Conn) Close() error { return c.x.Close() }

// ErrRollback, returned by the function given to InTx, rolls the
// transaction back and makes InTx return nil: a dry run's way out.
var ErrRollback = errors.New("roll back")

// InTx runs fn in a transaction, committed when fn returns nil and rolled
// back otherwise.
func (d *DB) InTx(ctx context.Context, fn func(*Tx) error) error {
	return inTx(ctx, d.x.BeginTxx, nil, fn)
}

// InTx runs fn in a transaction of the session.
func (c *Conn) InTx(ctx context.Context, fn func(*Tx) error) error {
	return inTx(ctx, c.x.BeginTxx, nil, fn)
}

// InSnapshot runs fn in a read-only repeatable-read transaction: every query
// of fn sees the database as of one moment.
func (d *DB) InSnapshot(ctx context.Context, fn func(*Tx) error) error {
	return inTx(ctx, d.x.BeginTxx, snapshot, fn)
}

// InSnapshot runs fn in a read-only repeatable-read transaction of the session.
func (c *Conn) InSnapshot(ctx context.Context, fn func(*Tx) error) error {
	return inTx(ctx, c.x.BeginTxx, snapshot, fn)
}

var snapshot = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}

func inTx(ctx context.Context, begin func(context.Context, *sql.TxOptions) (*sqlx.Tx, error), opts *sql.TxOptions, fn func(*Tx) error) error {
	x, err := begin(ctx, opts)
	if err != nil {
		return err
	}
	if err := fn(&Tx{x: x}); err != nil {
		x.Rollback() //nolint:errcheck // fn's error is the one to report
		if errors.Is(err, ErrRollback) {
			return nil
		}
		return err
	}
	return x.Commit()
}

// DriverTx is the driver's transaction under a Tx, for the job queue
// (River), which inserts its jobs in the caller's transaction.
type DriverTx = *sql.Tx

// Driver returns the driver's transaction under t.
func (t *Tx) Driver() DriverTx { return t.x.Tx }

// DriverDB returns the driver's pool under d, for the job queue (River).
func (d *DB) DriverDB() *sql.DB { return d.x.DB }

// IsUniqueViolation reports whether err is PostgreSQL refusing a row that a
// unique index already holds (SQLSTATE 23505).
func IsUniqueViolation(err error) bool { return sqlState(err) == "23505" }

// IsDatabaseError reports whether err is PostgreSQL refusing a statement
// (as against a lost connection or a cancelled context).
func IsDatabaseError(err error) bool { return sqlState(err) != "" }

// sqlState is err's SQLSTATE, or "" when it is not PostgreSQL's.
func sqlState(err error) string {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		return string(pqErr.Code)
	}
	return ""
}
