// Package ingest imports the CSV files of §10 into the database: each
// row is checked on its own, the whole file is streamed through COPY into a
// staging table, checked against what is stored, and added in one
// transaction, so a file with any bad row imports nothing.
package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/openbilling/billing/store"
)

// MaxTextLength is Excel's limit on the characters of one cell. Longer text
// is refused on the way in rather than cut when a spreadsheet is written (§8).
const MaxTextLength = 32767

// maxReported bounds how many bad rows one failed import lists.
const maxReported = 100

// progressEvery is how many rows pass between two progress reports.
const progressEvery = 50_000

// RowError is one bad row or header: the file, the line, the column (its
// 1-based position and name, when known) and the reason.
type RowError struct {
	File   string
	Line   int
	Column int
	Name   string
	Reason string
}

func (e *RowError) Error() string {
	switch {
	case e.Name != "":
		return fmt.Sprintf("%s:%d: column %d (%s): %s", e.File, e.Line, e.Column, e.Name, e.Reason)
	case e.Column > 0:
		return fmt.Sprintf("%s:%d: column %d: %s", e.File, e.Line, e.Column, e.Reason)
	default:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
	}
}

// Error is a failed import: the bad rows it found (at most 100) and how many
// more there were. Nothing of the file was imported.
type Error struct {
	File string
	Rows []*RowError
	More int
}

func (e *Error) Error() string {
	n := len(e.Rows) + e.More
	if n == 1 {
		return e.Rows[0].Error()
	}
	return fmt.Sprintf("%s (and %d more bad rows in %s; nothing imported)", e.Rows[0].Error(), n-1, e.File)
}

// Result says what an import did.
type Result struct {
	Kind  string
	File  string
	Rows  int64 // data rows read
	Added int64 // records added; the rest were already stored, unchanged
}

// Progress is told, now and then, how many rows and bytes have been read.
type Progress func(rows, bytes int64)

// Importer loads CSV files into the database.
type Importer struct {
	DB       *store.DB
	Log      *slog.Logger
	Progress Progress // optional
}

// Source opens the CSV data of an import; it may be called twice, since an
// import that meets already stored keys reads its file a second time.
type Source func() (io.ReadCloser, error)

// ImportFile imports the file at path as records of kind.
func (im *Importer) ImportFile(ctx context.Context, kind *Kind, path string) (Result, error) {
	open := func() (io.ReadCloser, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("opening %s file: %w", kind.Name, err)
		}
		return f, nil
	}
	return im.Import(ctx, kind, filepath.Base(path), open)
}

// Import reads a CSV file named name from open and imports its records of
// kind, all or nothing.
//
// A kind without references first streams its rows straight into its table
// with COPY, the fastest way into PostgreSQL. If any key is already stored
// (a re-import, or a key repeated in the file), that attempt is rolled back
// and the file is read again into a staging table, from which only new
// records are added once every repeated key is shown to carry the same
// content (§10). Kinds with references always take the staging path,
// so that a missing reference is reported with its line.
func (im *Importer) Import(ctx context.Context, kind *Kind, name string, open Source) (Result, error) {
	res := Result{Kind: kind.Name, File: name}
	fail := func(what string, err error) (Result, error) {
		return res, fmt.Errorf("importing %s: %s%w", name, what, err)
	}
	tx, err := store.BeginImport(ctx, im.DB, kind.table())
	if err != nil {
		return fail("", err)
	}
	defer tx.Rollback()

	var digest, firstActivity, lastActivity string
	direct := len(kind.Refs) == 0
	if direct {
		if err := tx.TryDirect(ctx); err != nil {
			return fail("", err)
		}
		st, err := im.stream(ctx, tx, kind, name, open)
		if err != nil {
			return res, err
		}
		res.Rows, digest, firstActivity, lastActivity = st.rows, st.digest, st.firstActivity, st.lastActivity
		switch {
		case st.copyErr == nil:
			res.Added = res.Rows
		case store.IsUniqueViolation(st.copyErr):
			if err := tx.AbandonDirect(ctx); err != nil {
				return fail("", err)
			}
			direct = false
		default:
			return fail("", st.copyErr)
		}
	}
	if !direct {
		if err := tx.Stage(ctx); err != nil {
			return fail("creating staging table: ", err)
		}
		st, err := im.stream(ctx, tx, kind, name, open)
		if err != nil {
			return res, err
		}
		res.Rows, digest, firstActivity, lastActivity = st.rows, st.digest, st.firstActivity, st.lastActivity
		if st.copyErr != nil {
			return fail("", st.copyErr)
		}
		if res.Added, err = addStaged(ctx, tx, kind, name, st.positions); err != nil {
			return res, err
		}
	}
	if res.Added > 0 {
		if err := tx.Record(ctx, kind.Name, name, digest, res.Rows, res.Added); err != nil {
			return fail("recording the import: ", err)
		}
		if kind.Activity != "" {
			if err := tx.RecordBatch(ctx, kind.Name, firstActivity, lastActivity); err != nil {
				return fail("recording the import's dates: ", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fail("committing: ", err)
	}
	if res.Added > 0 {
		// Fresh statistics, so the pipeline's next queries are planned for the
		// table as it now is rather than as it was before a bulk load.
		if err := store.AnalyzeTable(ctx, im.DB, kind.table().Table); err != nil {
			return res, fmt.Errorf("imported %s; updating the table's statistics: %w", name, err)
		}
	}
	im.Log.Debug("import_done", "kind", kind.Name, "file", name, "rows", res.Rows, "added", res.Added)
	return res, nil
}

// addStaged checks the staged rows against what is stored and adds the new
// ones, returning how many were added.
func addStaged(ctx context.Context, tx *store.Import, kind *Kind, name string, positions map[string]int) (int64, error) {
	rows, err := tx.StagedRows(ctx)
	if err != nil {
		return 0, fmt.Errorf("importing %s: %w", name, err)
	}
	if bad, err := missingReferences(ctx, tx, kind, name, positions); err != nil {
		return 0, fmt.Errorf("importing %s: checking references: %w", name, err)
	} else if bad != nil {
		return 0, bad
	}
	added, err := tx.AddStaged(ctx)
	if err != nil {
		return 0, fmt.Errorf("importing %s: adding records: %w", name, err)
	}
	if added < rows {
		// Some rows were already stored or repeated in the file: each must
		// be identical to the stored record (§10).
		if bad, err := conflicts(ctx, tx, kind, name, positions); err != nil {
			return 0, fmt.Errorf("importing %s: comparing with stored records: %w", name, err)
		} else if bad != nil {
			return 0, bad
		}
	}
	return added, nil
}

// streamed is the outcome of one pass over a file.
type streamed struct {
	rows      int64          // data rows read
	digest    string         // the file's SHA-256
	positions map[string]int // each column's position in the header
	copyErr   error          // what PostgreSQL said of the copied rows, for the caller to judge
	// The first and last UTC activity dates of the rows (Kind.Activity).
	firstActivity, lastActivity string
}

// stream reads the file, checks every row and copies the good ones into the
// import (its staging table once staged). A file with bad rows returns them
// as an *Error.
func (im *Importer) stream(ctx context.Context, tx *store.Import, kind *Kind, name string, open Source) (streamed, error) {
	var st streamed
	r, err := open()
	if err != nil {
		return st, err
	}
	defer r.Close()
	hash := sha256.New()
	counted := &countingReader{r: io.TeeReader(r, hash)}
	rd := csv.NewReader(&boundedLines{r: counted, line: 1})
	rd.ReuseRecord = true

	header, err := rd.Read()
	if errors.Is(err, io.EOF) {
		return st, &Error{File: name, Rows: []*RowError{{File: name, Line: 1, Reason: "the file is empty; expected a header row"}}}
	}
	if err != nil {
		return st, &Error{File: name, Rows: []*RowError{csvError(name, err)}}
	}
	positions, headerErrs := mapHeader(kind, name, header)
	if len(headerErrs) > 0 {
		return st, &Error{File: name, Rows: headerErrs}
	}
	st.positions = positions
	rd.FieldsPerRecord = len(header)

	copier, err := tx.Copy(ctx)
	if err != nil {
		return st, fmt.Errorf("importing %s: starting COPY: %w", name, err)
	}
	defer copier.Close()

	failed := &Error{File: name}
	values := make([]any, len(kind.Columns)+1)
	rowByName := func(column string) string {
		s, _ := values[indexOf(kind, column)+1].(string)
		return s
	}
	activity := -1
	if kind.Activity != "" {
		activity = indexOf(kind, kind.Activity) + 1
	}
	for {
		record, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			failed.add(csvError(name, err))
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
				continue // the reader stays in step after a short or long row
			}
			break // after a quoting error the rest of the file cannot be read reliably
		}
		st.rows++
		line, _ := rd.FieldPos(0)
		if bad := checkRecord(kind, name, rd, record, positions, values); bad != nil {
			failed.add(bad)
			continue
		}
		if kind.CheckRow != nil {
			if column, err := kind.CheckRow(rowByName); err != nil {
				failed.add(&RowError{File: name, Line: line, Column: positions[column] + 1, Name: column, Reason: err.Error()})
				continue
			}
		}
		if len(failed.Rows) > 0 || st.copyErr != nil {
			continue // keep checking, stop loading
		}
		if activity >= 0 {
			d := activityDate(values[activity].(string))
			if st.firstActivity == "" || d < st.firstActivity {
				st.firstActivity = d
			}
			if d > st.lastActivity {
				st.lastActivity = d
			}
		}
		values[0] = int64(line)
		if err := copier.Row(ctx, values); err != nil {
			st.copyErr = err // PostgreSQL refused a row sent earlier; the rows are still checked
		}
		if st.rows%progressEvery == 0 {
			if err := ctx.Err(); err != nil {
				return st, fmt.Errorf("importing %s: %w", name, err)
			}
			if im.Progress != nil {
				im.Progress(st.rows, counted.n)
			}
		}
	}
	if im.Progress != nil {
		im.Progress(st.rows, counted.n)
	}
	if len(failed.Rows) > 0 {
		return st, failed
	}
	if st.copyErr == nil {
		st.copyErr = copier.End(ctx)
	}
	st.digest = hex.EncodeToString(hash.Sum(nil))
	return st, nil
}

// mapHeader maps each column of kind to its position in the header (−1 when
// absent) and reports unknown, repeated and missing columns.
func mapHeader(kind *Kind, file string, header []string) (map[string]int, []*RowError) {
	var errs []*RowError
	positions := make(map[string]int, len(kind.Columns))
	for _, c := range kind.Columns {
		positions[c.Name] = -1
	}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\uFEFF") // a byte-order mark some spreadsheet tools write
		}
		at, known := positions[h]
		switch {
		case !utf8.ValidString(h):
			errs = append(errs, &RowError{File: file, Line: 1, Column: i + 1, Reason: "header is not valid UTF-8"})
		case !known:
			errs = append(errs, &RowError{File: file, Line: 1, Column: i + 1, Reason: fmt.Sprintf("unknown column %s for %s (expected: %s)", quote(h), kind.Name, columnList(kind))})
		case at >= 0:
			errs = append(errs, &RowError{File: file, Line: 1, Column: i + 1, Reason: fmt.Sprintf("column %s appears twice", quote(h))})
		default:
			positions[h] = i
		}
	}
	for _, c := range kind.Columns {
		if c.Required && positions[c.Name] < 0 {
			errs = append(errs, &RowError{File: file, Line: 1, Reason: fmt.Sprintf("missing column %q for %s (expected: %s)", c.Name, kind.Name, columnList(kind))})
		}
	}
	return positions, errs
}

func columnList(kind *Kind) string {
	names := make([]string, len(kind.Columns))
	for i, c := range kind.Columns {
		names[i] = c.Name
		if !c.Required {
			names[i] = "[" + c.Name + "]"
		}
	}
	return strings.Join(names, ", ")
}

// checkRecord checks each value of a record on its own and fills values
// (values[0] is left for the line number) with what COPY stores.
func checkRecord(kind *Kind, file string, rd *csv.Reader, record []string, positions map[string]int, values []any) *RowError {
	stored := kind.table().Columns
	for i, c := range kind.Columns {
		at := positions[c.Name]
		if at < 0 {
			values[i+1] = nilIfEmpty(stored[i].Default)
			continue
		}
		v := record[at]
		line, _ := rd.FieldPos(at)
		fail := func(reason string) *RowError {
			return &RowError{File: file, Line: line, Column: at + 1, Name: c.Name, Reason: reason}
		}
		switch {
		case !utf8.ValidString(v):
			return fail("is not valid UTF-8")
		case utf8.RuneCountInString(v) > MaxTextLength:
			return fail(fmt.Sprintf("is %d characters long; at most %d fit in a spreadsheet cell", utf8.RuneCountInString(v), MaxTextLength))
		case v == "" && c.Required:
			return fail("is empty")
		case v == "":
			values[i+1] = nilIfEmpty(stored[i].Default)
			continue
		}
		if err := c.Check(v); err != nil {
			return fail(err.Error())
		}
		values[i+1] = v
	}
	return nil
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func indexOf(kind *Kind, column string) int {
	for i, c := range kind.Columns {
		if c.Name == column {
			return i
		}
	}
	panic("ingest: no column " + column + " in " + kind.Name)
}

// MaxLineBytes bounds one line of a file: the longest valid row (a few
// names of 32,767 characters) is far shorter, and a reader that met a
// 100 MB line of 50 million fields would hold all of them at once.
const MaxLineBytes = 1 << 20

// lineTooLong is the error of a line longer than MaxLineBytes.
type lineTooLong struct{ line int }

func (e *lineTooLong) Error() string {
	return fmt.Sprintf("line %d is longer than %d bytes", e.line, MaxLineBytes)
}

// boundedLines passes a file through and fails on the first line longer
// than MaxLineBytes, before the CSV reader has to hold it.
type boundedLines struct {
	r    io.Reader
	line int // the line being read, from 1
	run  int // bytes of it so far
}

func (b *boundedLines) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '\n' {
			b.line++
			b.run = 0
			continue
		}
		if b.run++; b.run > MaxLineBytes {
			return i, &lineTooLong{line: b.line}
		}
	}
	return n, err
}

// csvError turns a CSV syntax error into a RowError.
func csvError(file string, err error) *RowError {
	var long *lineTooLong
	if errors.As(err, &long) {
		return &RowError{File: file, Line: long.line, Reason: fmt.Sprintf("the line is longer than %d bytes; no valid row is", MaxLineBytes)}
	}
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return &RowError{File: file, Line: 1, Reason: err.Error()}
	}
	var reason string
	switch {
	case errors.Is(pe.Err, csv.ErrFieldCount):
		reason = "wrong number of columns (every row must have as many as the header)"
	case errors.Is(pe.Err, csv.ErrQuote):
		reason = fmt.Sprintf("unbalanced quote: a quoted field starting on this line is not closed properly (detected at line %d, character %d)", pe.Line, pe.Column)
	case errors.Is(pe.Err, csv.ErrBareQuote):
		reason = fmt.Sprintf("a quote inside an unquoted field at character %d (quote the whole field and double the quote)", pe.Column)
	default:
		reason = pe.Err.Error()
	}
	return &RowError{File: file, Line: pe.StartLine, Reason: reason}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
