package sql_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	billingsql "github.com/openbilling/billing/sql"
)

// Every query named in the code exists, and every embedded query is used:
// a misspelled name fails here instead of panicking at run time.
func TestEveryQueryNamedInTheCodeExists(t *testing.T) {
	t.Parallel()
	embedded := billingsql.QueryNames()
	used := map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Query" {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			name, _ := strconv.Unquote(lit.Value)
			used[name] = true
			if !slices.Contains(embedded, name) {
				t.Errorf("%s: query %q is not in sql/queries", fset.Position(lit.Pos()), name)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(used) < 20 {
		t.Fatalf("found only %d query names in the code", len(used))
	}
	for _, name := range embedded {
		if !used[name] {
			t.Errorf("sql/queries/%s.sql is used nowhere", name)
		}
	}
}

// A query of two or more parameters names them (@account_id), and the
// store binds them from a struct by those names; only a query of one
// takes it by position ($1). Comments and literals may hold either sign.
func TestAQueryOfSeveralParametersNamesThem(t *testing.T) {
	t.Parallel()
	positional := regexp.MustCompile(`\$[0-9]+`)
	byName := regexp.MustCompile(`(^|[^<@:])@[a-z_]+`)
	literal := regexp.MustCompile(`'(?:[^']|'')*'`)
	namedQueries := 0
	for _, name := range billingsql.QueryNames() {
		var code []string
		for _, line := range strings.Split(billingsql.Query(name), "\n") {
			code = append(code, strings.SplitN(line, "--", 2)[0])
		}
		text := literal.ReplaceAllString(strings.Join(code, "\n"), "''")
		numbers := map[string]bool{}
		for _, p := range positional.FindAllString(text, -1) {
			numbers[p] = true
		}
		names := byName.FindAllString(text, -1)
		switch {
		case len(numbers) > 1:
			t.Errorf("sql/queries/%s.sql binds %d parameters by position; name them", name, len(numbers))
		case len(numbers) == 1 && len(names) > 0:
			t.Errorf("sql/queries/%s.sql mixes $1 with named parameters", name)
		case len(names) > 0:
			namedQueries++
		}
	}
	if namedQueries < 80 {
		t.Errorf("only %d queries name their parameters", namedQueries)
	}
}
