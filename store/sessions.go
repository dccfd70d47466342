package store

import (
	"context"
)

// Session control: the locks by which runs take turns, and the settings a
// run's sessions work with.

// Advisory lock keys.
const (
	closeLockKey  = 0x434c4f53 // "CLOS": closing, between processes
	rateLockClass = 0x52415445 // "RATE": the first key of rating's per-account locks
)

// LockClose waits until no other session closes windows, then holds the
// close lock on conn's session until UnlockClose (or the session ends).
// Closing processes queue on it so that invoice numbers follow issue dates.
func LockClose(ctx context.Context, conn *Conn) error {
	_, err := conn.x.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, closeLockKey)
	return err
}

// UnlockClose gives the close lock back.
func UnlockClose(ctx context.Context, conn *Conn) {
	_, _ = conn.x.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, closeLockKey)
}

// LockCloseInTx takes the close lock until the transaction ends: what
// changes the windows a close works on (a billing day) waits for it.
func LockCloseInTx(ctx context.Context, tx *Tx) error {
	_, err := tx.x.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, closeLockKey)
	return err
}

// LockAccountsForRating takes, until the transaction ends, a lock per
// account in id order: runs rating the same accounts take turns, and never
// wait on each other in a cycle.
func LockAccountsForRating(ctx context.Context, tx *Tx, accountIDs []string) error {
	_, err := lockEachInTx.exec(ctx, tx.x, lockKeys{rateLockClass, accountIDs})
	return err
}

// PrepareRunSession makes conn a run's session: its commits do not wait for
// the disk (each is atomic and redone if lost, and the run makes them durable
// before anything outside the database depends on them), and its sorts have
// the memory a batch's orders need.
func PrepareRunSession(ctx context.Context, conn *Conn) error {
	if _, err := conn.x.ExecContext(ctx, `SET synchronous_commit = off`); err != nil {
		return err
	}
	return SetWorkMem(ctx, conn)
}

// SetWorkMem gives a session the memory its sorts need to stay off the disk:
// a batch's orders, the million rows deriving subscriptions.
func SetWorkMem(ctx context.Context, conn *Conn) error {
	_, err := conn.x.ExecContext(ctx, `SET work_mem = '64MB'`)
	return err
}

// AnalyzeInvoices refreshes the statistics of the invoice tables, for what
// reads new invoices next: queries planned for the tables as they were
// before a month's close read every line instead of an invoice's.
func AnalyzeInvoices(ctx context.Context, conn *Conn) error {
	_, err := conn.x.ExecContext(ctx, `ANALYZE invoices, invoice_lines, closed_windows`)
	return err
}

// Advisory locks of two keys: a class (the first key) and a key in it, or
// one per id of a list, taken in id order so that two sessions locking
// the same ids never wait on each other in a cycle.
type (
	lockKey struct {
		Class int32 `db:"class"`
		Key   int32 `db:"key"`
	}
	lockKeys struct {
		Class int32    `db:"class"`
		IDs   []string `db:"ids"`
	}
)

var (
	lockPair     = named[lockKey](`SELECT pg_advisory_lock(@class, @key)`)
	tryLockPair  = named[lockKey](`SELECT pg_try_advisory_lock(@class, @key)`)
	unlockPair   = named[lockKey](`SELECT pg_advisory_unlock(@class, @key)`)
	lockEach     = named[lockKeys](`SELECT pg_advisory_lock(@class, hashtext(id)) FROM unnest(@ids::text[]) AS id ORDER BY id`)
	lockEachInTx = named[lockKeys](`SELECT pg_advisory_xact_lock(@class, hashtext(id)) FROM unnest(@ids::text[]) AS id ORDER BY id`)
)
