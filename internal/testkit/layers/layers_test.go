// Package layers checks the import graph of the module against
// docs/ARCHITECTURE.md: the pure rules import nothing but each other, the
// top-level folders import each other as documented and in no cycle, the
// product never imports its test support or harness programs, and only the
// listed packages import a database package.
package layers

import (
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/openbilling/billing/"

// pure are the folders of the billing rules: no I/O, no clock, and no
// import but the standard library, shopspring/decimal and each other.
var pure = []string{"money", "calendar", "country", "rating", "invoicing", "ledger"}

// pureExceptions are the imports of a pure package beyond those, still to go:
// calendar.Date scans itself from the database.
var pureExceptions = []string{"calendar -> database/sql/driver"}

// folderImports are the imports between the other top-level folders that
// the product's packages make today (a folder of internal/ counts as one of
// its own; any folder may import a pure one). A new one fails the test: add
// it here only with its reason in ARCHITECTURE.md. One that is gone fails
// too, so that the list follows the code.
var folderImports = []string{
	"access -> store",
	"emit -> internal/runstop",
	"emit -> invoices",
	"emit -> reports",
	"emit -> store",
	"events -> invoices",
	"events -> payments",
	"events -> store",
	"invoices -> store",
	"jobs -> pipeline",
	"mail -> store",
	"payments -> locale",
	"payments -> store",
	"pipeline -> emit",
	"pipeline -> internal/runstop",
	"pipeline -> invoices",
	"pipeline -> locale",
	"pipeline -> payments",
	"pipeline -> store",
	"portal -> access",
	"portal -> emit",
	"portal -> events",
	"portal -> invoices",
	"portal -> locale",
	"portal -> mail",
	"portal -> payments",
	"portal -> pipeline",
	"portal -> store",
	"portal -> webhooks",
	"queue -> mail",
	"queue -> payments",
	"queue -> pipeline",
	"queue -> store",
	"queue -> webhooks",
	"reports -> internal/xlsxstream",
	"reports -> locale",
	"store -> sql",
	"webhooks -> events",
	"webhooks -> store",
}

// databaseImporters are the product's packages that import database/sql,
// sqlx or lib/pq: store alone, the one author of SQL.
var databaseImporters = []string{"store"}

// layers ranks the top-level folders: a package imports only from its own
// layer or a lower one (the order of docs/ARCHITECTURE.md), and within a
// layer in no cycle (TestNoCycleBetweenFolders).
var layers = map[string]int{
	"money": 0, "calendar": 0, "country": 0, "rating": 0, "invoicing": 0, "ledger": 0, // the rules
	"sql": 0, "internal/xlsxstream": 0, "internal/synthetic": 0, "internal/runstop": 0, "locale": 0, // the schema's text, a file format, sample data, a run's stop, the languages
	"store": 1, "reports": 1, // the database; the documents
	"mail": 2, "payments": 2, "invoices": 2, "access": 2, "emit": 2, "pipeline": 2, "config": 2, "events": 2, "webhooks": 2, // the domain's services
	"portal": 3, "queue": 3, "jobs": 3, // what serves and schedules them
	"cmd": 4, // the command
}

var databasePackages = []string{"database/sql", "github.com/jmoiron/sqlx", "github.com/lib/pq"}

type pkg struct {
	ImportPath string
	Imports    []string
}

// products lists the module's packages outside tools/, internal/testkit/
// and scripts/ (a test of the set-up, no code), with their imports (tests'
// imports left out).
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
		if strings.HasPrefix(p.ImportPath, "tools/") || strings.HasPrefix(p.ImportPath, "internal/testkit/") || p.ImportPath == "scripts" {
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

func TestPureFoldersImportOnlyPureOnes(t *testing.T) {
	t.Parallel()
	var got []string
	for _, p := range products(t) {
		from := folder(p.ImportPath)
		if !slices.Contains(pure, from) {
			continue
		}
		for _, imp := range p.Imports {
			rel, ours := strings.CutPrefix(imp, module)
			switch {
			case ours && slices.Contains(pure, folder(rel)):
			case ours:
				t.Errorf("%s imports %s: a pure package imports only pure ones", p.ImportPath, rel)
			case imp == "github.com/shopspring/decimal":
			case strings.Contains(strings.Split(imp, "/")[0], ".") || slices.Contains(impure, imp):
				got = append(got, from+" -> "+imp)
			}
		}
	}
	sameAs(t, got, pureExceptions, "pure import of I/O or a library: %s", "the import %s is gone: take it off pureExceptions")
}

// impure are the standard library's packages a pure one may not import.
var impure = []string{"database/sql", "database/sql/driver", "net/http", "os", "os/exec", "log/slog", "time/tzdata"}

func TestFoldersImportEachOtherOnlyAsDocumented(t *testing.T) {
	t.Parallel()
	var got []string
	for _, p := range products(t) {
		if p.ImportPath == "cmd/billing" {
			continue // the command wires everything
		}
		for _, imp := range p.Imports {
			rel, ok := strings.CutPrefix(imp, module)
			if !ok || folder(rel) == folder(p.ImportPath) || slices.Contains(pure, folder(rel)) {
				continue
			}
			got = append(got, folder(p.ImportPath)+" -> "+folder(rel))
		}
	}
	slices.Sort(got)
	got = slices.Compact(got)
	sameAs(t, got, folderImports, "new import between folders: %s (see docs/ARCHITECTURE.md)",
		"the import %s is gone: take it off folderImports and ARCHITECTURE.md")
}

// No chain of imports between top-level folders comes back to where it
// began: the layers are pure rules, store, the domain services, the portal
// and the daemon, the command.
func TestNoCycleBetweenFolders(t *testing.T) {
	t.Parallel()
	edges := map[string][]string{}
	for _, p := range products(t) {
		from := folder(p.ImportPath)
		for _, imp := range p.Imports {
			if rel, ok := strings.CutPrefix(imp, module); ok && folder(rel) != from && !slices.Contains(edges[from], folder(rel)) {
				edges[from] = append(edges[from], folder(rel))
			}
		}
	}
	const (
		unseen = iota
		open
		done
	)
	state := map[string]int{}
	var path []string
	var visit func(f string)
	visit = func(f string) {
		state[f] = open
		path = append(path, f)
		for _, g := range edges[f] {
			switch state[g] {
			case open:
				i := slices.Index(path, g)
				t.Errorf("folders import each other in a cycle: %s -> %s", strings.Join(path[i:], " -> "), g)
			case unseen:
				visit(g)
			}
		}
		path = path[:len(path)-1]
		state[f] = done
	}
	folders := make([]string, 0, len(edges))
	for f := range edges {
		folders = append(folders, f)
	}
	slices.Sort(folders)
	for _, f := range folders {
		if state[f] == unseen {
			visit(f)
		}
	}
}

func TestNoImportFromALowerLayerToAHigherOne(t *testing.T) {
	t.Parallel()
	for _, p := range products(t) {
		from := folder(p.ImportPath)
		rank, ok := layers[from]
		if !ok {
			t.Errorf("%s: the folder %s has no layer: give it one in layers and docs/ARCHITECTURE.md", p.ImportPath, from)
			continue
		}
		for _, imp := range p.Imports {
			if rel, ok := strings.CutPrefix(imp, module); ok && layers[folder(rel)] > rank {
				t.Errorf("%s (layer %d) imports %s (layer %d): a lower layer never imports a higher one", p.ImportPath, rank, rel, layers[folder(rel)])
			}
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
	sameAs(t, got, databaseImporters, "%s imports a database package: only store runs SQL (docs/ARCHITECTURE.md)",
		"%s no longer imports a database package: take it off databaseImporters")
}

// inspect walks every node of the product sources of a folder (tests left
// out), with the file set that places them.
func inspect(t *testing.T, dir string, visit func(fset *token.FileSet, n ast.Node)) {
	t.Helper()
	files, err := filepath.Glob("../../../" + dir + "/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sources in %s: %v", dir, err)
	}
	fset := token.NewFileSet()
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool { visit(fset, n); return true })
	}
}

// The portal reaches the database only through the domain's services
// (access, invoices, payments, pipeline): of store it names the handle it
// passes them, and nothing else.
func TestThePortalCallsNoStoreFunction(t *testing.T) {
	t.Parallel()
	inspect(t, "portal", func(fset *token.FileSet, n ast.Node) {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == "store" && sel.Sel.Name != "DB" {
				t.Errorf("%s: the portal uses store.%s: reach it through access, invoices, payments or pipeline", fset.Position(sel.Pos()), sel.Sel.Name)
			}
		}
	})
}

// The rules' types carry no tags of the database: the store scans them by
// their fields' names (store's column mapper).
func TestPureTypesHaveNoDatabaseTags(t *testing.T) {
	t.Parallel()
	for _, dir := range pure {
		inspect(t, dir, func(fset *token.FileSet, n ast.Node) {
			if field, ok := n.(*ast.Field); ok && field.Tag != nil && strings.Contains(field.Tag.Value, `db:"`) {
				t.Errorf("%s: a db tag in the pure package %s", fset.Position(field.Pos()), dir)
			}
		})
	}
}

// sameAs fails the test for each of got not listed (added) and each listed
// not in got (gone): a list of what is allowed that follows the code.
func sameAs(t *testing.T, got, listed []string, added, gone string) {
	t.Helper()
	for _, e := range got {
		if !slices.Contains(listed, e) {
			t.Errorf(added, e)
		}
	}
	for _, e := range listed {
		if !slices.Contains(got, e) {
			t.Errorf(gone, e)
		}
	}
}
