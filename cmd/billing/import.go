package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/openbilling/billing/pipeline/ingest"
)

func runImport(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
	if len(args) != 2 {
		return usageError{fmt.Errorf("usage: billing import KIND FILE.csv")}
	}
	kind, err := ingest.KindNamed(args[0])
	if err != nil {
		return usageError{err}
	}
	path := args[1]
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("importing %s: %w", kind.Name, err)
	}
	db, err := a.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()

	progress := newProgress(a, path, info.Size())
	im := &ingest.Importer{DB: db, Log: a.log, Progress: progress.report}
	res, err := im.ImportFile(ctx, kind, path)
	progress.done()
	var bad *ingest.Error
	if errors.As(err, &bad) {
		for _, row := range bad.Rows {
			fmt.Fprintln(a.stderr, row.Error())
		}
		if bad.More > 0 {
			fmt.Fprintf(a.stderr, "%s: %d more bad rows not shown\n", bad.File, bad.More)
		}
		fmt.Fprintf(a.stderr, "billing: import of %s failed: %d bad rows; nothing imported\n", path, len(bad.Rows)+bad.More)
		return errReported
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "imported %s from %s: %d rows read, %d added, %d already present\n",
		res.Kind, path, res.Rows, res.Added, res.Rows-res.Added)
	return nil
}

// progress shows a long import's progress: a line rewritten in place on a
// terminal, a structured log record every few seconds otherwise.
type progress struct {
	a        *app
	file     string
	size     int64
	terminal bool
	last     time.Time
	shown    bool
}

func newProgress(a *app, file string, size int64) *progress {
	return &progress{a: a, file: file, size: size, terminal: isTerminal(a.stderr), last: time.Now()}
}

func (p *progress) report(rows, bytes int64) {
	every := 5 * time.Second
	if p.terminal {
		every = 250 * time.Millisecond
	}
	if time.Since(p.last) < every {
		return
	}
	p.last = time.Now()
	percent := 100.0
	if p.size > 0 {
		percent = float64(bytes) * 100 / float64(p.size)
	}
	if p.terminal {
		fmt.Fprintf(p.a.stderr, "\rimporting %s: %d rows, %.0f%% of %.1f MB ", p.file, rows, percent, float64(p.size)/1e6)
		p.shown = true
		return
	}
	p.a.log.Info("import_progress", "file", p.file, "rows", rows, "bytes", bytes, "size", p.size)
}

func (p *progress) done() {
	if p.shown {
		fmt.Fprintln(p.a.stderr)
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
