package pipeline

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"
	"golang.org/x/sync/errgroup"

	"github.com/openbilling/billing/pipeline/calendar"
	"github.com/openbilling/billing/pipeline/money"
	"github.com/openbilling/billing/reports"
	billingsql "github.com/openbilling/billing/sql"
)

// File kinds, as stored in invoice_files and shown in the JSON contract.
const (
	KindReconciliation = "reconciliation"
	KindInvoice        = "invoice"
)

// FileEmitter writes the files of finalized invoices into OutputDir: the
// emit stage. It writes every file an invoice lacks, and rewrites one that is
// missing or altered on disk, byte for byte, so a crash between an
// invoice's commit and its files, or a deleted file, heals on the next run.
// The documents themselves are rendered by package reports.
type FileEmitter struct {
	OutputDir string
	Log       *slog.Logger
	Options   reports.Options

	dirs sync.Map // folders made by this emitter
}

type emitInvoice struct {
	Number      string          `db:"number"`
	Type        string          `db:"type"`
	Billing     string          `db:"billing"`
	AccountID   string          `db:"account_id"`
	AccountName string          `db:"account_name"`
	Currency    string          `db:"currency"`
	WindowStart calendar.Date   `db:"window_start"`
	WindowEnd   calendar.Date   `db:"window_end"`
	IssueDate   calendar.Date   `db:"issue_date"`
	TaxRate     decimal.Decimal `db:"tax_rate"`
	Subtotal    decimal.Decimal `db:"subtotal"`
	Tax         decimal.Decimal `db:"tax"`
	Total       decimal.Decimal `db:"total"`
	Adjusts     string          `db:"adjusts"`
	Lines       int             `db:"lines"`
}

func (e emitInvoice) header() reports.Invoice {
	return reports.Invoice{
		Number: e.Number, Type: e.Type, Billing: e.Billing, AccountID: e.AccountID, AccountName: e.AccountName,
		Currency: money.Currency(e.Currency), WindowStart: e.WindowStart, WindowEnd: e.WindowEnd, IssueDate: e.IssueDate,
		TaxRate: e.TaxRate, Subtotal: e.Subtotal, Tax: e.Tax, Total: e.Total, Adjusts: e.Adjusts, Lines: e.Lines,
	}
}

type storedFile struct {
	Number     string        `db:"invoice_number"`
	Kind       string        `db:"kind"`
	Path       string        `db:"path"`
	SHA256     string        `db:"sha256"`
	Size       sql.NullInt64 `db:"size"`
	ModifiedNS sql.NullInt64 `db:"modified_ns"`
}

// fileStat is what is recorded of a written file.
type fileStat struct {
	sha256           string
	size, modifiedNS int64
}

// Emit writes the files that are missing, altered or not yet written and
// returns how many it wrote.
func (e *FileEmitter) Emit(ctx context.Context, db *sqlx.DB) (int, error) {
	// One emitter at a time across processes: while it holds the lock, no
	// other is writing, so the temporary files a killed emitter left
	// behind can go.
	lock, err := db.Connx(ctx)
	if err != nil {
		return 0, err
	}
	defer lock.Close()
	if _, err := lock.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, emitLockKey); err != nil {
		return 0, fmt.Errorf("waiting for another emit: %w", err)
	}
	defer lock.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, emitLockKey) //nolint:errcheck // the session ends with it anyway
	if err := removeLeftovers(e.OutputDir); err != nil {
		return 0, fmt.Errorf("removing unfinished files from %s: %w", e.OutputDir, err)
	}
	var invoices []emitInvoice
	if err := db.SelectContext(ctx, &invoices, billingsql.Query("invoice_list_for_emit")); err != nil {
		return 0, fmt.Errorf("listing invoices: %w", err)
	}
	var files []storedFile
	if err := db.SelectContext(ctx, &files, billingsql.Query("invoice_file_list_all")); err != nil {
		return 0, fmt.Errorf("listing invoice files: %w", err)
	}
	stored := map[string]storedFile{}
	for _, f := range files {
		stored[f.Number+"\x1f"+f.Kind] = f
	}
	// Work through the files on every core, two workers a core: while one
	// waits on the database, the other renders. Each worker takes a session
	// with its statements prepared. Small invoices go in batches: one query
	// reads all their lines, one statement records all their files.
	workers := 2 * max(1, runtime.GOMAXPROCS(0))
	sessions := make(chan *emitSession, workers)
	defer func() {
		close(sessions)
		for s := range sessions {
			s.close()
		}
	}()
	for range workers {
		s, err := newEmitSession(ctx, db)
		if err != nil {
			return 0, err
		}
		sessions <- s
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	var written atomic.Int64
	send := func(batch []emitTask) {
		g.Go(func() error {
			s := <-sessions
			defer func() { sessions <- s }()
			n, err := e.writeBatch(gctx, s, batch)
			written.Add(int64(n))
			return err
		})
	}
	var restat fileRecords // files found unchanged whose size or time is new
	err = func() error {
		var batch []emitTask
		lines := 0
		flush := func() {
			if len(batch) > 0 {
				send(batch)
				batch, lines = nil, 0
			}
		}
		defer flush()
		for _, inv := range invoices {
			if err := gctx.Err(); err != nil {
				return err
			}
			if Stopping(ctx) {
				return ErrStopped
			}
			t := emitTask{inv: inv.header()}
			for _, kind := range []string{KindReconciliation, KindInvoice} {
				path := e.Path(t.inv, kind)
				if prev, ok := stored[inv.Number+"\x1f"+kind]; ok && prev.Path == path {
					if unchanged, st := checkFile(prev); unchanged {
						if st != nil {
							restat.add(inv.Number, kind, path, *st)
						}
						continue
					}
				}
				t.files = append(t.files, emitFile{kind, path})
			}
			if len(t.files) == 0 {
				continue
			}
			if inv.Lines > readOnceLines { // alone, streamed
				flush()
				batch = []emitTask{t}
				flush()
				continue
			}
			if len(batch) == emitBatch || lines+inv.Lines > readOnceLines {
				flush()
			}
			batch = append(batch, t)
			lines += inv.Lines
		}
		return nil
	}()
	if werr := g.Wait(); werr != nil {
		return int(written.Load()), werr // the first worker's error, not the cancellation it caused
	}
	if err != nil {
		return int(written.Load()), err
	}
	if len(restat.numbers) > 0 {
		if _, err := db.ExecContext(ctx, billingsql.Query("invoice_file_restat"), pq.Array(restat.numbers), pq.Array(restat.kinds),
			pq.Array(restat.sizes), pq.Array(restat.times)); err != nil {
			return int(written.Load()), fmt.Errorf("recording the files found unchanged: %w", err)
		}
	}
	if written.Load() > 0 {
		if err := syncFiles(e.OutputDir); err != nil {
			return int(written.Load()), fmt.Errorf("syncing the files written to %s: %w", e.OutputDir, err)
		}
	}
	return int(written.Load()), nil
}

// emitFile is a file of an invoice to write; emitTask an invoice with the
// files of it to write.
type emitFile struct{ kind, path string }

type emitTask struct {
	inv   reports.Invoice
	files []emitFile
}

// writeBatch writes and records the files of a batch of invoices on one
// session, and returns how many it wrote.
func (e *FileEmitter) writeBatch(ctx context.Context, s *emitSession, batch []emitTask) (int, error) {
	numbers := make([]string, len(batch))
	for i, t := range batch {
		numbers[i] = t.inv.Number
	}
	var held map[string][]reports.Line
	if len(batch) > 1 || batch[0].inv.Lines <= readOnceLines {
		var err error
		if held, err = s.readLines(ctx, numbers); err != nil {
			return 0, fmt.Errorf("reading the lines of invoices %s to %s: %w", numbers[0], numbers[len(numbers)-1], err)
		}
	}
	var rec fileRecords
	for _, t := range batch {
		lines := s.lines(ctx, t.inv.Number) // a large invoice streams, once per file
		if held != nil {
			lines = heldLines(held[t.inv.Number])
		}
		for _, f := range t.files {
			st, err := e.write(t.inv, f.kind, f.path, lines)
			if err != nil {
				return 0, fmt.Errorf("writing the %s file of invoice %s: %w", f.kind, t.inv.Number, err)
			}
			rec.add(t.inv.Number, f.kind, f.path, st)
			e.Log.Debug("file_written", "number", t.inv.Number, "kind", f.kind, "path", f.path, "sha256", st.sha256)
		}
	}
	if err := s.record(ctx, rec); err != nil {
		return 0, fmt.Errorf("recording the files of invoices %s to %s: %w", numbers[0], numbers[len(numbers)-1], err)
	}
	return len(rec.numbers), nil
}

// Path is where a file of an invoice lives, so that finance can browse by
// account, window, currency and number:
// out/P1/2026-05-15/INV-2026-000001_USD_reconciliation.xlsx.
func (e *FileEmitter) Path(inv reports.Invoice, kind string) string {
	name := fmt.Sprintf("%s_%s_%s.xlsx", safeName(inv.Number), inv.Currency, kind)
	return filepath.Join(e.OutputDir, safeName(inv.AccountID), inv.WindowStart.String(), name)
}

// safeName keeps a name from the data from leaving its folder.
func safeName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 || r < ' ' {
			return '_'
		}
		return r
	}, s)
	if s == "" || s == "." || s == ".." {
		return "_" + s
	}
	return s
}

// checkFile reports whether a recorded file is still as written. One whose
// size and modification time are those recorded is taken as unchanged
// without reading it, so a run's check costs a stat per file, not a read of
// every file ever written; any other is read and its SHA-256 compared, and
// when that matches, its new size and time are returned to be recorded.
func checkFile(prev storedFile) (bool, *fileStat) {
	info, err := os.Stat(prev.Path)
	if err != nil || !info.Mode().IsRegular() {
		return false, nil
	}
	now := fileStat{sha256: prev.SHA256, size: info.Size(), modifiedNS: info.ModTime().UnixNano()}
	if prev.Size.Valid && prev.ModifiedNS.Valid && prev.Size.Int64 == now.size && prev.ModifiedNS.Int64 == now.modifiedNS {
		return true, nil
	}
	if got, err := fileSHA256(prev.Path); err != nil || got != prev.SHA256 {
		return false, nil
	}
	return true, &now
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// emitLockKey serialises emitters between processes.
const emitLockKey = 0x454d4954 // "EMIT"

// tempPattern names a file being written; it becomes the file by a rename.
const tempPattern = ".writing-*.xlsx"

// removeLeftovers removes the temporary files of emitters that were killed
// before renaming them into place. Only an emitter holding the emit lock
// calls it.
func removeLeftovers(root string) error {
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			if match, _ := filepath.Match(tempPattern, d.Name()); match {
				return os.Remove(path)
			}
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil // nothing written yet
	}
	return err
}

// FileMode is the mode of every written file: readable by the service's
// group, in which finance reads the files (SPEC §8).
const FileMode = 0o640

// fileBuffers gather a file's bytes into large writes: most files are
// written with one or two.
var fileBuffers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 256<<10) }}

// write renders one file to a temporary name in its folder and renames it
// into place, so a reader never sees half a file. Files are not synced one
// by one (a sync per file cost more than rendering it); Emit syncs the output
// file system once at its end, and a file a crash truncates before then no
// longer has its recorded SHA-256, so the next run writes it again.
func (e *FileEmitter) write(inv reports.Invoice, kind, path string, lines reports.Lines) (fileStat, error) {
	dir := filepath.Dir(path)
	if _, made := e.dirs.Load(dir); !made { // an invoice's two files share a folder
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fileStat{}, err
		}
		e.dirs.Store(dir, true)
	}
	tmp, err := os.CreateTemp(dir, tempPattern)
	if err != nil {
		return fileStat{}, err
	}
	if err := tmp.Chmod(FileMode); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fileStat{}, err
	}
	renamed := false
	defer func() {
		if !renamed {
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	out := fileBuffers.Get().(*bufio.Writer)
	defer fileBuffers.Put(out)
	out.Reset(io.MultiWriter(tmp, h))
	if kind == KindReconciliation {
		err = reports.WriteReconciliation(out, inv, lines, e.Options)
	} else {
		err = reports.WriteDocument(out, inv, lines, e.Options)
	}
	if err == nil {
		err = out.Flush()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return fileStat{}, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fileStat{}, err
	}
	renamed = true
	info, err := os.Stat(path)
	if err != nil {
		return fileStat{}, err
	}
	return fileStat{sha256: hex.EncodeToString(h.Sum(nil)), size: info.Size(), modifiedNS: info.ModTime().UnixNano()}, nil
}

// readOnceLines is the most lines held in memory at once to write several
// files from one read: an invoice up to this size is read with others in a
// batch; a larger one streams its lines from the database once per file, so
// memory stays flat.
const readOnceLines = 10_000

// emitBatch is the most invoices read and recorded together.
const emitBatch = 64

// heldLines is a source over lines in memory.
func heldLines(held []reports.Line) reports.Lines {
	return func(yield func(*reports.Line) error) error {
		for i := range held {
			if err := yield(&held[i]); err != nil {
				return err
			}
		}
		return nil
	}
}

// fileRecords are files to record.
type fileRecords struct {
	numbers, kinds, paths, sums []string
	sizes, times                []int64
}

func (r *fileRecords) add(number, kind, path string, st fileStat) {
	r.numbers, r.kinds, r.paths, r.sums = append(r.numbers, number), append(r.kinds, kind), append(r.paths, path), append(r.sums, st.sha256)
	r.sizes, r.times = append(r.sizes, st.size), append(r.times, st.modifiedNS)
}

type storedLine struct {
	InvoiceNumber      string          `db:"invoice_number"`
	CustomerID         string          `db:"customer_id"`
	CustomerName       string          `db:"customer_name"`
	CustomerCountry    string          `db:"customer_country"`
	OrderID            string          `db:"order_id"`
	SubscriptionID     string          `db:"subscription_id"`
	SKU                string          `db:"sku"`
	ProductName        string          `db:"product_name"`
	ChargeType         string          `db:"charge_type"`
	ChargeStart        calendar.Date   `db:"charge_start"`
	ChargeEnd          calendar.Date   `db:"charge_end"`
	ActivityDate       calendar.Date   `db:"activity_date"`
	UnitPrice          decimal.Decimal `db:"unit_price"`
	EffectiveUnitPrice decimal.Decimal `db:"effective_unit_price"`
	Quantity           decimal.Decimal `db:"quantity"`
	Amount             decimal.Decimal `db:"amount"`
	Tax                decimal.Decimal `db:"tax"`
	Total              decimal.Decimal `db:"total"`
	DaysCharged        int             `db:"days_charged"`
	TermDays           int             `db:"term_days"`
	Detail             string          `db:"detail"`
	Reversal           bool            `db:"reversal"`
}

// emitSession is one worker's connection, with its statements prepared
// once: planning them for each invoice cost the server more than running them.
type emitSession struct {
	conn      *sqlx.Conn
	lineQuery *sqlx.Stmt
	upsert    *sqlx.Stmt
}

func newEmitSession(ctx context.Context, db *sqlx.DB) (*emitSession, error) {
	conn, err := db.Connx(ctx)
	if err != nil {
		return nil, err
	}
	s := &emitSession{conn: conn}
	// A lost file record only means the file is checked and written again by
	// the next run, and the run's end commits synchronously anyway.
	if _, err = conn.ExecContext(ctx, `SET synchronous_commit = off`); err == nil {
		if s.lineQuery, err = conn.PreparexContext(ctx, billingsql.Query("invoice_line_list_for_emit")); err == nil {
			s.upsert, err = conn.PreparexContext(ctx, billingsql.Query("invoice_file_upsert"))
		}
	}
	if err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func (s *emitSession) close() {
	for _, st := range []*sqlx.Stmt{s.lineQuery, s.upsert} {
		if st != nil {
			st.Close()
		}
	}
	// The session goes back to the pool: whatever uses it next commits
	// synchronously again.
	_, _ = s.conn.ExecContext(context.Background(), `RESET synchronous_commit`)
	s.conn.Close()
}

// record stores the records of written files in one statement.
func (s *emitSession) record(ctx context.Context, r fileRecords) error {
	if len(r.numbers) == 0 {
		return nil
	}
	_, err := s.upsert.ExecContext(ctx, pq.Array(r.numbers), pq.Array(r.kinds), pq.Array(r.paths), pq.Array(r.sums),
		pq.Array(r.sizes), pq.Array(r.times))
	return err
}

// readLines reads the lines of several invoices into memory, by invoice.
func (s *emitSession) readLines(ctx context.Context, numbers []string) (map[string][]reports.Line, error) {
	held := make(map[string][]reports.Line, len(numbers))
	err := s.scanLines(ctx, numbers, func(number string, l *reports.Line) error {
		held[number] = append(held[number], *l)
		return nil
	})
	return held, err
}

// lines streams an invoice's lines from the database, one row at a time.
func (s *emitSession) lines(ctx context.Context, number string) reports.Lines {
	return func(yield func(*reports.Line) error) error {
		return s.scanLines(ctx, []string{number}, func(_ string, l *reports.Line) error { return yield(l) })
	}
}

func (s *emitSession) scanLines(ctx context.Context, numbers []string, yield func(string, *reports.Line) error) error {
	rows, err := s.lineQuery.QueryxContext(ctx, pq.Array(numbers))
	if err != nil {
		return err
	}
	defer rows.Close()
	var r storedLine
	var l reports.Line
	for rows.Next() {
		if err := rows.StructScan(&r); err != nil {
			return err
		}
		l = reports.Line{
			CustomerID: r.CustomerID, CustomerName: r.CustomerName, CustomerCountry: r.CustomerCountry,
			OrderID: r.OrderID, SubscriptionID: r.SubscriptionID, SKU: r.SKU, ProductName: r.ProductName,
			ChargeType: r.ChargeType, ChargeStart: r.ChargeStart, ChargeEnd: r.ChargeEnd, ActivityDate: r.ActivityDate,
			UnitPrice: r.UnitPrice, EffectiveUnitPrice: r.EffectiveUnitPrice,
			Quantity: r.Quantity, Amount: r.Amount, Tax: r.Tax, Total: r.Total,
			DaysCharged: r.DaysCharged, TermDays: r.TermDays, Detail: r.Detail, Reversal: r.Reversal,
		}
		if err := yield(r.InvoiceNumber, &l); err != nil {
			return err
		}
	}
	return rows.Err()
}
