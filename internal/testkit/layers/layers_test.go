// Package layers checks the import graph of the module against
// docs/ARCHITECTURE.md: which top-level folders may import which, that the
// product never imports its test support or harness programs, and which
// packages import a database package.
package layers

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/openbilling/billing/"

// folderImports are the imports between top-level folders that the product's
// packages make today (a folder of internal/ counts as one of its own). A new
// one fails the test: add it here only with its reason in ARCHITECTURE.md.
// The pairs that go both ways (payments and pipeline, payments and store,
// pipeline and store, pipeline and reports) are the cycles the layered layout
// of ARCHITECTURE.md removes; an edge that is gone fails the test too, so that
// this list shrinks with the code.
var folderImports = []string{
	"internal/xlsxstream -> pipeline",
	"jobs -> pipeline",
	"mail -> store",
	"payments -> pipeline",
	"payments -> store",
	"pipeline -> payments",
	"pipeline -> reports",
	"pipeline -> store",
	"portal -> mail",
	"portal -> payments",
	"portal -> pipeline",
	"portal -> store",
	"queue -> mail",
	"queue -> payments",
	"queue -> pipeline",
	"queue -> store",
	"reports -> internal/xlsxstream",
	"reports -> pipeline",
	"store -> payments",
	"store -> pipeline",
	"store -> sql",
}

// databaseImporters are the product's packages that import database/sql,
// sqlx or lib/pq. store alone should; the others are to move their SQL
// and transactions into it, and leave this list as they do.
var databaseImporters = []string{
	"cmd/billing", "mail", "payments", "payments/gateway", "pipeline", "pipeline/ingest", "portal", "queue", "store",
}

var databasePackages = []string{"database/sql", "github.com/jmoiron/sqlx", "github.com/lib/pq"}

type pkg struct {
	ImportPath string
	Imports    []string
}

// products lists the module's packages outside tools/ and
// internal/testkit/, with their imports (tests' imports left out).
func products(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = "../../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var list []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		p.ImportPath = strings.TrimPrefix(p.ImportPath, module)
		if strings.HasPrefix(p.ImportPath, "tools/") || strings.HasPrefix(p.ImportPath, "internal/testkit/") {
			continue
		}
		list = append(list, p)
	}
	if len(list) < 15 {
		t.Fatalf("go list found %d packages of the product", len(list))
	}
	return list
}

// folder is the top-level folder of a package of the module.
func folder(path string) string {
	parts := strings.Split(path, "/")
	if parts[0] == "internal" && len(parts) > 1 {
		return "internal/" + parts[1]
	}
	return parts[0]
}

func TestTheProductImportsNeitherTestSupportNorHarnesses(t *testing.T) {
	t.Parallel()
	for _, p := range products(t) {
		for _, imp := range p.Imports {
			rel := strings.TrimPrefix(imp, module)
			if rel != imp && (strings.HasPrefix(rel, "tools/") || strings.HasPrefix(rel, "internal/testkit/")) {
				t.Errorf("%s imports %s: the product may not depend on test support or a harness", p.ImportPath, rel)
			}
		}
	}
}

func TestFoldersImportEachOtherOnlyAsDocumented(t *testing.T) {
	t.Parallel()
	var got []string
	for _, p := range products(t) {
		if p.ImportPath == "cmd/billing" {
			continue // the command wires everything
		}
		for _, imp := range p.Imports {
			rel, ok := strings.CutPrefix(imp, module)
			if !ok || folder(rel) == folder(p.ImportPath) {
				continue
			}
			got = append(got, folder(p.ImportPath)+" -> "+folder(rel))
		}
	}
	slices.Sort(got)
	got = slices.Compact(got)
	for _, e := range got {
		if !slices.Contains(folderImports, e) {
			t.Errorf("new import between folders: %s (see docs/ARCHITECTURE.md; a pure package imports nothing of ours but pure ones)", e)
		}
	}
	for _, e := range folderImports {
		if !slices.Contains(got, e) {
			t.Errorf("the import %s is gone: take it off folderImports and ARCHITECTURE.md", e)
		}
	}
}

func TestOnlyTheListedPackagesImportADatabasePackage(t *testing.T) {
	t.Parallel()
	var got []string
	for _, p := range products(t) {
		for _, imp := range p.Imports {
			if slices.Contains(databasePackages, imp) {
				got = append(got, p.ImportPath)
				break
			}
		}
	}
	for _, p := range got {
		if !slices.Contains(databaseImporters, p) {
			t.Errorf("%s imports a database package: only store runs SQL (docs/ARCHITECTURE.md)", p)
		}
	}
	for _, p := range databaseImporters {
		if !slices.Contains(got, p) {
			t.Errorf("%s no longer imports a database package: take it off databaseImporters", p)
		}
	}
}
