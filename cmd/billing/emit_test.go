package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func sha(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// A crash between an invoice's commit and its files leaves invoices without
// files: the next run's emit stage writes them.
func TestFilesOfCommittedInvoicesAreWrittenByTheNextRun(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	o.billing("run", "--as-of", "2026-07-08T00:00:00Z", "--stage", "close")
	inv := o.invoice("INV-2026-000001")
	if inv.Files != nil {
		t.Fatalf("files before the emit stage: %+v", inv.Files)
	}
	out := o.billing("run", "--as-of", "2026-07-08T00:00:00Z")
	if !strings.Contains(out, "files written:         15") {
		t.Errorf("run report:\n%s", out)
	}
	inv = o.invoice("INV-2026-000001")
	wantRec := filepath.Join(o.dir, "out", "P1", "2026-05-15", "P1_2026-05-15_USD_INV-2026-000001_reconciliation.xlsx")
	if inv.Files == nil || inv.Files.Reconciliation != wantRec || inv.Files.Invoice != strings.Replace(wantRec, "reconciliation", "invoice", 1) {
		t.Fatalf("files %+v", inv.Files)
	}
	var stored string
	if err := o.db.Get(&stored, "SELECT sha256 FROM invoice_files WHERE invoice_number = 'INV-2026-000001' AND kind = 'reconciliation'"); err != nil {
		t.Fatal(err)
	}
	if got := sha(t, wantRec); got != stored {
		t.Errorf("stored SHA-256 %s, file %s", stored, got)
	}
	f, err := excelize.OpenFile(wantRec)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	control, _ := f.GetRows("Control")
	if strings.Join(control[3], "|") != "Total|24.00|24.00|0.00" {
		t.Errorf("control %q", control)
	}
	text := o.billing("invoice", "INV-2026-000001")
	if !strings.Contains(text, wantRec) {
		t.Errorf("billing invoice does not print the file:\n%s", text)
	}
}

func TestADeletedOrAlteredFileIsRewrittenByteForByte(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	o.billing("run", "--as-of", "2026-07-08T00:00:00Z")
	files := o.invoice("INV-2026-000005").Files
	rec, doc := files.Reconciliation, files.Invoice
	recSum, docSum := sha(t, rec), sha(t, doc)
	if err := os.Remove(rec); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(doc, []byte("tampered"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := o.billing("run", "--as-of", "2026-07-08T00:00:00Z")
	if !strings.Contains(out, "files written:         2") {
		t.Errorf("run report:\n%s", out)
	}
	if got := sha(t, rec); got != recSum {
		t.Errorf("rewritten reconciliation %s, was %s", got, recSum)
	}
	if got := sha(t, doc); got != docSum {
		t.Errorf("rewritten invoice document %s, was %s", got, docSum)
	}
	if out := o.billing("run", "--as-of", "2026-07-08T00:00:00Z"); !strings.Contains(out, "files written:         0") {
		t.Errorf("a third run wrote files:\n%s", out)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(rec), ".writing-*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

// A run checks a file by its recorded size and modification time, and reads
// it only when either changed: a file touched but not changed is kept, and
// its new time recorded so the next run need not read it.
func TestAFileTouchedButNotChangedIsKept(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	o.billing("run", "--as-of", "2026-07-08T00:00:00Z")
	doc := o.invoice("INV-2026-000005").Files.Invoice
	sum := sha(t, doc)
	touched := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(doc, touched, touched); err != nil {
		t.Fatal(err)
	}
	if out := o.billing("run", "--as-of", "2026-07-08T00:00:00Z"); !strings.Contains(out, "files written:         0") {
		t.Errorf("a touched file was rewritten:\n%s", out)
	}
	var recorded int64
	if err := o.db.Get(&recorded, `SELECT modified_ns FROM invoice_files WHERE invoice_number = 'INV-2026-000005' AND kind = 'invoice'`); err != nil || recorded != touched.UnixNano() {
		t.Errorf("recorded time %d, want %d (%v)", recorded, touched.UnixNano(), err)
	}
	if got := sha(t, doc); got != sum {
		t.Errorf("file changed: %s, was %s", got, sum)
	}
}

// A killed emitter's temporary files are removed by the next emit, and every
// file is readable by the service's group (finance), not by others.
func TestLeftoverTemporaryFilesGoAndFilesAreGroupReadable(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	o.billing("run", "--as-of", "2026-07-08T00:00:00Z")
	rec := o.invoice("INV-2026-000005").Files.Reconciliation
	leftover := filepath.Join(filepath.Dir(rec), ".writing-123456.xlsx")
	if err := os.WriteFile(leftover, []byte("half a file"), 0o600); err != nil {
		t.Fatal(err)
	}
	o.billing("run", "--as-of", "2026-07-08T00:00:00Z", "--stage", "emit")
	if _, err := os.Stat(leftover); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the leftover %s is still there (%v)", leftover, err)
	}
	info, err := os.Stat(rec)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o640 {
		t.Errorf("file mode %o, want 640", mode)
	}
}

// A file written by an earlier version under its old name
// (NUMBER_CURRENCY_KIND.xlsx) keeps its name and bytes while it is as
// recorded; once missing, it is written again under today's name.
func TestFilesUnderTheirOldNamesKeepWorking(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	o.billing("run", "--as-of", "2026-07-08T00:00:00Z")
	newName := filepath.Join(o.dir, "out", "P1", "2026-05-15", "P1_2026-05-15_USD_INV-2026-000001_invoice.xlsx")
	oldName := filepath.Join(o.dir, "out", "P1", "2026-05-15", "INV-2026-000001_USD_invoice.xlsx")
	if err := os.Rename(newName, oldName); err != nil {
		t.Fatal(err)
	}
	if _, err := o.db.Exec(`UPDATE invoice_files SET path = $1 WHERE invoice_number = 'INV-2026-000001' AND kind = 'invoice'`, oldName); err != nil {
		t.Fatal(err)
	}
	if out := o.billing("run", "--as-of", "2026-07-08T00:00:00Z", "--stage", "emit"); !strings.Contains(out, "files written:         0") {
		t.Errorf("a file under its old name was written again:\n%s", out)
	}
	if got := o.invoice("INV-2026-000001").Files.Invoice; got != oldName {
		t.Errorf("the invoice's file is %s, want the old name kept", got)
	}
	if err := os.Remove(oldName); err != nil {
		t.Fatal(err)
	}
	if out := o.billing("run", "--as-of", "2026-07-08T00:00:00Z", "--stage", "emit"); !strings.Contains(out, "files written:         1") {
		t.Errorf("the missing file was not written again:\n%s", out)
	}
	if got := o.invoice("INV-2026-000001").Files.Invoice; got != newName {
		t.Errorf("the invoice's file is %s, want today's name", got)
	}
	o.billing("verify", "--files", "full")
}
