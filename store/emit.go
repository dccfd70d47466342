package store

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/invoicing"
	"github.com/openbilling/billing/money"
	billingsql "github.com/openbilling/billing/sql"
)

// The emit stage's reads and writes: the invoices with what their files
// show in the header, the recorded files, and per worker a session with its
// statements prepared.

// StoredFile is a recorded file of an invoice, with the size and
// modification time it had when written or last checked.
type StoredFile struct {
	Number     string `db:"invoice_number"`
	Kind       string `db:"kind"`
	Path       string `db:"path"`
	SHA256     string `db:"sha256"`
	Size       *int64 `db:"size"`        // nil: not known (recorded before sizes were)
	ModifiedNS *int64 `db:"modified_ns"` // nil: not known
}

// FileRecords are files to record, one per position.
type FileRecords struct {
	numbers, kinds, paths, sums []string
	sizes, times                []int64
}

// Len is how many files are to be recorded.
func (r *FileRecords) Len() int { return len(r.numbers) }

// Add adds a file: its invoice, kind, path, SHA-256, size and modification
// time (nanoseconds since 1970).
func (r *FileRecords) Add(number, kind, path, sha256 string, size, modifiedNS int64) {
	r.numbers, r.kinds, r.paths, r.sums = append(r.numbers, number), append(r.kinds, kind), append(r.paths, path), append(r.sums, sha256)
	r.sizes, r.times = append(r.sizes, size), append(r.times, modifiedNS)
}

// The emit stage's queries, resolved at start-up.
var (
	invoiceListForEmit     = billingsql.Query("invoice_list_for_emit")
	invoiceFileListAll     = billingsql.Query("invoice_file_list_all")
	invoiceFileListForEmit = billingsql.Query("invoice_file_list_for_emit")
	invoiceListWithout     = billingsql.Query("invoice_list_without_files")
	invoiceFileRestat      = named[fileStat](billingsql.Query("invoice_file_restat"))
	invoiceLineListForEmit = billingsql.Query("invoice_line_list_for_emit")
	invoiceFileUpsert      = named[fileColumns](billingsql.Query("invoice_file_upsert"))
)

// emitLockKey serialises emitters between processes.
const emitLockKey = 0x454d4954 // "EMIT"

// LockEmit waits until no other emitter runs and returns the function that
// lets the next one in.
func LockEmit(ctx context.Context, db *DB) (unlock func(), err error) {
	conn, err := db.x.Connx(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, emitLockKey); err != nil {
		conn.Close()
		return nil, err
	}
	return func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, emitLockKey)
		conn.Close()
	}, nil
}

// InvoicesForEmit lists the invoices numbered with their headers, oldest first.
func InvoicesForEmit(ctx context.Context, q Queryer, numbers []string) ([]invoicing.Issued, error) {
	var out []invoicing.Issued
	err := sqlx.SelectContext(ctx, q.ext(), &out, invoiceListForEmit, pq.Array(numbers))
	return out, err
}

// InvoicesWithoutFiles lists the numbers of the invoices lacking a recorded
// file of one of the kinds.
func InvoicesWithoutFiles(ctx context.Context, q Queryer, kinds []string) ([]string, error) {
	var out []string
	err := sqlx.SelectContext(ctx, q.ext(), &out, invoiceListWithout, pq.Array(kinds))
	return out, err
}

// EmitFile is a recorded file with what names its folder today.
type EmitFile struct {
	StoredFile
	AccountID   string         `db:"account_id"`
	WindowStart calendar.Date  `db:"window_start"`
	Currency    money.Currency `db:"currency"`
}

// StoredFilesForEmit lists every recorded file with its invoice's account,
// window and currency.
func StoredFilesForEmit(ctx context.Context, q Queryer) ([]EmitFile, error) {
	var out []EmitFile
	err := sqlx.SelectContext(ctx, q.ext(), &out, invoiceFileListForEmit)
	return out, err
}

// StoredFiles lists every recorded file.
func StoredFiles(ctx context.Context, q Queryer) ([]StoredFile, error) {
	var out []StoredFile
	err := sqlx.SelectContext(ctx, q.ext(), &out, invoiceFileListAll)
	return out, err
}

// RestatFiles records the new size and time of files found unchanged.
func RestatFiles(ctx context.Context, q Queryer, r FileRecords) error {
	_, err := invoiceFileRestat.exec(ctx, q.ext(), fileStat{r.numbers, r.kinds, r.sizes, r.times})
	return err
}

// EmitSession is one emit worker's connection, with its statements prepared
// once: planning them for each invoice cost the server more than running them.
type EmitSession struct {
	conn      *sqlx.Conn
	lineQuery *sqlx.Stmt
	upsert    *sqlx.Stmt
}

// NewEmitSession opens a worker's session. It commits without waiting for
// the disk: a lost file record only means the file is checked and written
// again by the next run, and the run's end commits synchronously anyway.
func NewEmitSession(ctx context.Context, db *DB) (*EmitSession, error) {
	conn, err := db.x.Connx(ctx)
	if err != nil {
		return nil, err
	}
	s := &EmitSession{conn: conn}
	if _, err = conn.ExecContext(ctx, `SET synchronous_commit = off`); err == nil {
		if s.lineQuery, err = conn.PreparexContext(ctx, invoiceLineListForEmit); err == nil {
			s.upsert, err = conn.PreparexContext(ctx, invoiceFileUpsert.text)
		}
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close hands the session back to the pool, committing synchronously again.
func (s *EmitSession) Close() {
	for _, st := range []*sqlx.Stmt{s.lineQuery, s.upsert} {
		if st != nil {
			st.Close()
		}
	}
	_, _ = s.conn.ExecContext(context.Background(), `RESET synchronous_commit`)
	s.conn.Close()
}

// Record stores the records of written files in one statement.
func (s *EmitSession) Record(ctx context.Context, r FileRecords) error {
	if r.Len() == 0 {
		return nil
	}
	_, err := s.upsert.ExecContext(ctx, invoiceFileUpsert.args(fileColumns{r.numbers, r.kinds, r.paths, r.sums, r.sizes, r.times})...)
	return err
}

// ScanLines streams the lines of invoices, by invoice and in invoice order,
// to yield; the line is reused from one call to the next.
func (s *EmitSession) ScanLines(ctx context.Context, numbers []string, yield func(*invoicing.IssuedLine) error) error {
	rows, err := s.lineQuery.QueryxContext(ctx, pq.Array(numbers))
	if err != nil {
		return err
	}
	defer rows.Close()
	var r invoicing.IssuedLine
	for rows.Next() {
		if err := rows.StructScan(&r); err != nil {
			return err
		}
		if err := yield(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// fileStat are the parameters of invoice_file_restat.
type fileStat struct {
	Numbers []string `db:"invoice_numbers"`
	Kinds   []string `db:"kinds"`
	Sizes   []int64  `db:"sizes"`
	Times   []int64  `db:"modified_ns"`
}

// fileColumns are the parameters of invoice_file_upsert.
type fileColumns struct {
	Numbers []string `db:"invoice_numbers"`
	Kinds   []string `db:"kinds"`
	Paths   []string `db:"paths"`
	Sums    []string `db:"sha256s"`
	Sizes   []int64  `db:"sizes"`
	Times   []int64  `db:"modified_ns"`
}
