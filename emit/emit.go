// Package emit is the emit stage's writer (§8): the reconciliation
// spreadsheet, the invoice spreadsheet and the PDF of each finalized
// invoice, written under their folder and name, made durable, recorded, and
// healed when a file on disk no longer matches its record.
package emit

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/openbilling/billing/internal/runstop"
	"github.com/openbilling/billing/invoices"
	"github.com/openbilling/billing/reports"
	"github.com/openbilling/billing/store"
)

// FileTask names an invoice and the kinds of its files to write.
type FileTask struct {
	Number string   `json:"number"`
	Kinds  []string `json:"kinds"`
}

// FileEmitter writes the files of finalized invoices into OutputDir: the
// emit stage. It writes every file an invoice lacks, and rewrites one that is
// missing or altered on disk, byte for byte, so a crash between an
// invoice's commit and its files, or a deleted file, heals on the next run.
// The documents themselves are rendered by package reports.
type FileEmitter struct {
	OutputDir string
	Log       *slog.Logger
	Options   reports.Options
	Issuer    string // who issues the invoices, at the top of the PDF
	// PDFOnDemand leaves an invoice's PDF to its first download (Heal),
	// which writes and records it like any file; the emit stage then heals
	// the PDFs already written and writes no new one. A PDF costs more to
	// render than both spreadsheets (docs/PERFORMANCE.md).
	PDFOnDemand bool
	// Writers is how many files one EmitFiles call renders at once
	// (default two a core: while one waits on the database, the other
	// renders); a process working several emit units at once shares its
	// cores among them.
	Writers int

	dirs sync.Map // folders made by this emitter
}

// fileStat is what is recorded of a written file.
type fileStat struct {
	sha256           string
	size, modifiedNS int64
}

// Emit writes the files that are missing, altered or not yet written and
// returns how many it wrote.
func (e *FileEmitter) Emit(ctx context.Context, db *store.DB) (int, error) {
	plan, err := e.PlanEmit(ctx, db)
	if err != nil {
		return 0, err
	}
	defer plan.Close()
	n, err := e.EmitFiles(ctx, db, plan.Tasks, false)
	if err != nil {
		return n, err
	}
	return n, plan.Finish(ctx, n)
}

// Plan is what an emit stage has to write, found under the emit lock,
// which it holds until Close.
type Plan struct {
	Tasks     []FileTask
	restat    store.FileRecords // files found unchanged whose size or time is new
	db        *store.DB
	outputDir string
	unlock    func()
}

// Finish records the files found unchanged whose size or time is new, and,
// when this process wrote files (written), makes them durable.
func (p *Plan) Finish(ctx context.Context, written int) error {
	if p.restat.Len() > 0 {
		if err := store.RestatFiles(ctx, p.db, p.restat); err != nil {
			return fmt.Errorf("recording the files found unchanged: %w", err)
		}
	}
	if written > 0 {
		if err := syncFiles(p.outputDir); err != nil {
			return fmt.Errorf("syncing the files written to %s: %w", p.outputDir, err)
		}
	}
	return nil
}

// Close lets the next emit stage begin.
func (p *Plan) Close() { p.unlock() }

// PlanEmit finds the files to write: those of the invoices just issued and
// those missing or altered on disk. It holds the emit lock until the plan's
// Close: one emit stage at a time across processes, so the temporary files
// a killed emitter left behind can go.
func (e *FileEmitter) PlanEmit(ctx context.Context, db *store.DB) (*Plan, error) {
	unlock, err := store.LockEmit(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("waiting for another emit: %w", err)
	}
	plan := &Plan{db: db, outputDir: e.OutputDir, unlock: unlock}
	if err := e.plan(ctx, db, plan); err != nil {
		unlock()
		return nil, err
	}
	return plan, nil
}

func (e *FileEmitter) plan(ctx context.Context, db *store.DB, plan *Plan) error {
	if err := removeLeftovers(e.OutputDir); err != nil {
		return fmt.Errorf("removing unfinished files from %s: %w", e.OutputDir, err)
	}
	// Every recorded file is checked on disk (a stat, and a hash only when
	// its size or time changed); only the invoices with a file to write,
	// those just issued and those whose file is missing or altered, are
	// planned: the stage costs what is new, not what the history holds.
	files, err := store.StoredFilesForEmit(ctx, db)
	if err != nil {
		return fmt.Errorf("listing invoice files: %w", err)
	}
	kinds := invoices.FileKinds
	if e.PDFOnDemand {
		kinds = []string{invoices.KindReconciliation, invoices.KindInvoice}
	}
	numbers, err := store.InvoicesWithoutFiles(ctx, db, kinds)
	if err != nil {
		return fmt.Errorf("listing invoices without files: %w", err)
	}
	intact := map[string]bool{}   // by number and kind: the files as recorded
	recorded := map[string]bool{} // by number and kind: the files recorded, intact or not
	for _, f := range files {
		key := f.Number + "\x1f" + f.Kind
		recorded[key] = true
		path := e.Path(reports.Invoice{Number: f.Number, AccountID: f.AccountID, WindowStart: f.WindowStart, Currency: f.Currency}, f.Kind)
		if sameFolder(f.Path, path) {
			if unchanged, st := checkFile(f.StoredFile); unchanged {
				if st != nil {
					plan.restat.Add(f.Number, f.Kind, path, st.sha256, st.size, st.modifiedNS)
				}
				intact[key] = true
				continue
			}
		}
		numbers = append(numbers, f.Number)
	}
	slices.Sort(numbers)
	for _, number := range slices.Compact(numbers) {
		t := FileTask{Number: number}
		for _, kind := range invoices.FileKinds {
			key := number + "\x1f" + kind
			if intact[key] || (kind == invoices.KindPDF && e.PDFOnDemand && !recorded[key]) {
				continue // as recorded, or a PDF written at its first download
			}
			t.Kinds = append(t.Kinds, kind)
		}
		if len(t.Kinds) > 0 {
			plan.Tasks = append(plan.Tasks, t)
		}
	}
	return nil
}

// EmitFiles writes and records the files of the tasks, and returns how many
// it wrote. Any process may: the files of one invoice are the same bytes
// whoever writes them. With sync, the files are durable on return; else
// the caller makes them so (Plan.Finish, once for the whole stage).
func (e *FileEmitter) EmitFiles(ctx context.Context, db *store.DB, tasks []FileTask, sync bool) (int, error) {
	if len(tasks) == 0 {
		return 0, nil
	}
	numbers := make([]string, len(tasks))
	for i, t := range tasks {
		numbers[i] = t.Number
	}
	invoices, err := store.InvoicesForEmit(ctx, db, numbers)
	if err != nil {
		return 0, fmt.Errorf("listing invoices: %w", err)
	}
	kindsOf := make(map[string][]string, len(tasks))
	for _, t := range tasks {
		kindsOf[t.Number] = t.Kinds
	}
	// Work through the files on every core (Writers). Each writer takes a
	// session with its statements prepared. Small invoices go in batches:
	// one query reads all their lines, one statement records all their files.
	workers := e.Writers
	if workers <= 0 {
		workers = 2 * max(1, runtime.GOMAXPROCS(0))
	}
	sessions := make(chan *store.EmitSession, workers)
	defer func() {
		close(sessions)
		for s := range sessions {
			s.Close()
		}
	}()
	for range workers {
		s, err := store.NewEmitSession(ctx, db)
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
			if runstop.Requested(ctx) {
				return runstop.ErrStopped
			}
			t := emitTask{inv: inv}
			for _, kind := range kindsOf[inv.Number] { // a task has a kind or more
				t.files = append(t.files, emitFile{kind, e.Path(t.inv, kind)})
			}
			if inv.LineCount > readOnceLines { // alone, streamed
				flush()
				batch = []emitTask{t}
				flush()
				continue
			}
			if len(batch) == emitBatch || lines+inv.LineCount > readOnceLines {
				flush()
			}
			batch = append(batch, t)
			lines += inv.LineCount
		}
		return nil
	}()
	if werr := g.Wait(); werr != nil {
		return int(written.Load()), werr // the first worker's error, not the cancellation it caused
	}
	if err != nil {
		return int(written.Load()), err
	}
	if sync && written.Load() > 0 {
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
func (e *FileEmitter) writeBatch(ctx context.Context, s *store.EmitSession, batch []emitTask) (int, error) {
	numbers := make([]string, len(batch))
	for i, t := range batch {
		numbers[i] = t.inv.Number
	}
	var held map[string][]reports.Line
	if len(batch) > 1 || batch[0].inv.LineCount <= readOnceLines {
		var err error
		if held, err = readLines(ctx, s, numbers); err != nil {
			return 0, fmt.Errorf("reading the lines of invoices %s to %s: %w", numbers[0], numbers[len(numbers)-1], err)
		}
	}
	var rec store.FileRecords
	for _, t := range batch {
		lines := streamLines(ctx, s, t.inv.Number) // a large invoice streams, once per file
		if held != nil {
			lines = heldLines(held[t.inv.Number])
		}
		for _, f := range t.files {
			st, err := e.write(t.inv, f.kind, f.path, lines)
			if err != nil {
				return 0, fmt.Errorf("writing the %s file of invoice %s: %w", f.kind, t.inv.Number, err)
			}
			rec.Add(t.inv.Number, f.kind, f.path, st.sha256, st.size, st.modifiedNS)
			e.Log.Debug("file_written", "number", t.inv.Number, "kind", f.kind, "path", f.path, "sha256", st.sha256)
		}
	}
	if err := s.Record(ctx, rec); err != nil {
		return 0, fmt.Errorf("recording the files of invoices %s to %s: %w", numbers[0], numbers[len(numbers)-1], err)
	}
	return rec.Len(), nil
}

// Path is where a file of an invoice lives, in a folder per account and
// window, named so that a file sorts and is found on its own, out of its
// folder too (§8): account, window start, currency, number and kind:
// out/P1/2026-05-15/P1_2026-05-15_USD_INV-2026-000001_reconciliation.xlsx.
func (e *FileEmitter) Path(inv reports.Invoice, kind string) string {
	account := safeName(inv.AccountID)
	name := fmt.Sprintf("%s_%s_%s_%s_%s", account, inv.WindowStart, inv.Currency, safeName(inv.Number), FileName(kind))
	return filepath.Join(e.OutputDir, account, inv.WindowStart.String(), name)
}

// FileName is how a file of a kind ends its name: reconciliation.xlsx,
// invoice.xlsx, invoice.pdf.
func FileName(kind string) string {
	if kind == invoices.KindPDF {
		return "invoice.pdf"
	}
	return kind + ".xlsx"
}

// sameFolder reports whether a recorded file is in the folder a file of its
// invoice is written to now. A file written under an earlier name
// (NUMBER_CURRENCY_KIND.xlsx) keeps its name while it is as recorded: a
// finalized invoice's files never change; one that is missing or altered is
// written again under today's name.
func sameFolder(recorded, path string) bool {
	return filepath.Dir(recorded) == filepath.Dir(path)
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
func checkFile(prev store.StoredFile) (bool, *fileStat) {
	info, err := os.Stat(prev.Path)
	if err != nil || !info.Mode().IsRegular() {
		return false, nil
	}
	now := fileStat{sha256: prev.SHA256, size: info.Size(), modifiedNS: info.ModTime().UnixNano()}
	if prev.Size != nil && prev.ModifiedNS != nil && *prev.Size == now.size && *prev.ModifiedNS == now.modifiedNS {
		return true, nil
	}
	if got, err := FileSHA256(prev.Path); err != nil || got != prev.SHA256 {
		return false, nil
	}
	return true, &now
}

// FileSHA256 is the SHA-256 of the file at path, in hex, as invoice_files records it.
func FileSHA256(path string) (string, error) {
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

// tempPattern names a file being written; it becomes the file by a rename.
const tempPattern = ".writing-*"

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
// group, in which finance reads the files (§8).
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
	switch kind {
	case invoices.KindReconciliation:
		err = reports.WriteReconciliation(out, inv, lines, e.Options)
	case invoices.KindInvoice:
		err = reports.WriteDocument(out, inv, lines, e.Options)
	default:
		err = reports.WritePDF(out, inv, lines, reports.PDFOptions{Issuer: e.Issuer})
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

// readLines reads the lines of several invoices into memory, by invoice.
func readLines(ctx context.Context, s *store.EmitSession, numbers []string) (map[string][]reports.Line, error) {
	held := make(map[string][]reports.Line, len(numbers))
	err := s.ScanLines(ctx, numbers, func(r *reports.Line) error {
		held[r.InvoiceNumber] = append(held[r.InvoiceNumber], *r)
		return nil
	})
	return held, err
}

// streamLines streams an invoice's lines from the database, one row at a time.
func streamLines(ctx context.Context, s *store.EmitSession, number string) reports.Lines {
	return func(yield func(*reports.Line) error) error {
		return s.ScanLines(ctx, []string{number}, yield)
	}
}
