// Package scripts holds the project's shell scripts; its test keeps
// packages.txt, the declaration of what the machine needs, true to what the
// code, the tests and the scripts run.
package scripts

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"
)

// A need is one program (or python3:MODULE) a file runs, and where.
type need struct {
	thing string
	where string // file:line
}

// declared reads packages.txt: what each thing is provided by.
func declared(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("packages.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	provided := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		if len(fields) < 3 {
			t.Fatalf("packages.txt:%d: want PURPOSE PACKAGE THING..., got %q", n, sc.Text())
		}
		for _, thing := range fields[2:] {
			provided[thing] = fields[1]
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return provided
}

// TestEveryProgramRunIsDeclared fails, naming the program and the file,
// when the code, a test or a script runs a program (or imports a Python
// module) that no package of packages.txt provides: on a fresh machine the
// set-up would not install it.
func TestEveryProgramRunIsDeclared(t *testing.T) {
	provided := declared(t)
	needs, err := scanTree("..")
	if err != nil {
		t.Fatal(err)
	}
	if testing.Verbose() {
		for _, n := range needs {
			t.Logf("%s %s", n.where, n.thing)
		}
	}
	if len(needs) < 20 {
		t.Fatalf("found only %d programs run in the tree: the scan is not reading it", len(needs))
	}
	for _, n := range needs {
		if _, ok := provided[n.thing]; !ok {
			t.Errorf("%s runs %s, which no package of scripts/packages.txt provides: add the Debian package that does", n.where, n.thing)
		}
	}
}

// TestTheREADMEListsEveryPackage keeps the README's list of packages whole.
func TestTheREADMEListsEveryPackage(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var packages []string
	for _, pkg := range declared(t) {
		packages = append(packages, pkg)
	}
	slices.Sort(packages)
	for _, pkg := range slices.Compact(packages) {
		if pkg != "-" && !strings.Contains(string(readme), "`"+pkg+"`") {
			t.Errorf("README.md does not list the package %s of scripts/packages.txt", pkg)
		}
	}
}

// TestTheScanFindsWhatIsRun checks the scan itself on a Go file, a script
// and a Makefile written for it.
func TestTheScanFindsWhatIsRun(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a_test.go": `package a
import (
	"os/exec"
	run "os/exec"
)
const viewer = "/usr/bin/xdg-open"
const script = "import json, lxml.etree\nfrom PIL import Image\n"
func f(name string) {
	exec.Command("pdftotext", "-layout")
	exec.CommandContext(nil, "soffice")
	run.LookPath("chromium")
	exec.Command(viewer)
	exec.Command(name)
	exec.Command("/usr/bin/python3", append([]string{"-c", script}, name)...)
}
`,
		"s.sh": `#!/usr/bin/env bash
helper() { echo hi; }
bin=/usr/lib/postgresql/15/bin
helper
cd /tmp && "$bin/initdb" -D x | sort -u
if command -v jq >/dev/null; then runuser -u postgres -- pg_ctl status; fi
out=$(git rev-parse HEAD)
scripts/local.sh
X=1 exec convert a.png
`,
		"Makefile": "all:\n\t@test -z \"$$(gofmt -l .)\" || wget $(URL) \\\n\t  --quiet\n\tscripts/local.sh $(if $(A),--a $(A))\n",
		"local.sh": "#!/bin/sh\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	needs, err := scanTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range needs {
		got = append(got, n.where+" "+n.thing)
	}
	want := []string{
		"Makefile:2 gofmt", "Makefile:2 test", "Makefile:2 wget",
		"a_test.go:9 pdftotext", "a_test.go:10 soffice", "a_test.go:11 chromium",
		"a_test.go:12 xdg-open", "a_test.go:14 python3",
		"a_test.go:14 python3:PIL", "a_test.go:14 python3:lxml",
		"s.sh:5 initdb", "s.sh:5 sort", "s.sh:6 jq", "s.sh:6 pg_ctl", "s.sh:6 runuser",
		"s.sh:7 git", "s.sh:9 convert",
	}
	if !slices.Equal(got, want) {
		t.Errorf("the scan found\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// scanTree finds every program the tree's Go files, shell scripts, CI script
// and Makefile run, sorted by file, line and program. It sees programs named
// by a literal or a constant; one named at run time (the project's own
// binaries, a script of the tree) is not a program the machine provides.
func scanTree(root string) ([]need, error) {
	local := map[string]bool{} // the base names of the tree's own files
	var goFiles, shellFiles, makefiles []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			switch d.Name() {
			case ".git", "bin", "out", ".pgdata", "node_modules", "testdata":
				return filepath.SkipDir
			}
			return nil
		}
		local[d.Name()] = true
		switch {
		case strings.HasSuffix(p, ".go"):
			goFiles = append(goFiles, rel)
		case strings.HasSuffix(p, ".sh"), rel == filepath.Join(".ci", "run"):
			shellFiles = append(shellFiles, rel)
		case d.Name() == "Makefile":
			makefiles = append(makefiles, rel)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var needs []need
	for _, f := range goFiles {
		found, err := scanGo(root, f)
		if err != nil {
			return nil, err
		}
		needs = append(needs, found...)
	}
	for _, f := range shellFiles {
		text, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			return nil, err
		}
		found, err := scanShell(f, string(text), nil, local)
		if err != nil {
			return nil, err
		}
		needs = append(needs, found...)
	}
	for _, f := range makefiles {
		found, err := scanMakefile(root, f, local)
		if err != nil {
			return nil, err
		}
		needs = append(needs, found...)
	}
	slices.SortFunc(needs, func(a, b need) int {
		if c := compareWhere(a.where, b.where); c != 0 {
			return c
		}
		return strings.Compare(a.thing, b.thing)
	})
	return slices.CompactFunc(needs, func(a, b need) bool { return a == b }), nil
}

// compareWhere orders file:line by file, then by line number.
func compareWhere(a, b string) int {
	fa, la, _ := strings.Cut(a, ":")
	fb, lb, _ := strings.Cut(b, ":")
	if c := strings.Compare(fa, fb); c != 0 {
		return c
	}
	na, _ := strconv.Atoi(la)
	nb, _ := strconv.Atoi(lb)
	return na - nb
}

// pythonImport matches the modules a line of Python imports.
var pythonImport = regexp.MustCompile(`(?m)^\s*(?:import\s+([\w., ]+)|from\s+([\w.]+)\s+import)`)

// pythonStdlib is the part of Python's standard library the tree imports:
// it comes with python3 itself.
var pythonStdlib = map[string]bool{"json": true, "sys": true, "os": true, "re": true, "zipfile": true, "subprocess": true}

// scanGo finds the programs a Go file runs with os/exec, and the Python
// modules of the code it gives python3.
func scanGo(root, rel string) ([]need, error) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, filepath.Join(root, rel), nil, 0)
	if err != nil {
		return nil, err
	}
	execName := ""
	var names []string
	for _, imp := range file.Imports {
		if imp.Path.Value == `"os/exec"` {
			execName = "exec"
			if imp.Name != nil {
				execName = imp.Name.Name
			}
			names = append(names, execName)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	var needs []need
	ast.Inspect(file, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		pkg, ok := sel.X.(*ast.Ident)
		if !ok || !slices.Contains(names, pkg.Name) {
			return true
		}
		arg := 0
		switch sel.Sel.Name {
		case "Command", "LookPath":
		case "CommandContext":
			arg = 1
		default:
			return true
		}
		if len(call.Args) <= arg {
			return true
		}
		program, ok := stringValue(call.Args[arg])
		if !ok {
			return true // named at run time
		}
		where := fmt.Sprintf("%s:%d", filepath.ToSlash(rel), fset.Position(call.Pos()).Line)
		program = path.Base(program)
		needs = append(needs, need{program, where})
		if program == "python3" {
			// The code given to python3: any string in its arguments.
			var code strings.Builder
			for _, a := range call.Args[arg+1:] {
				ast.Inspect(a, func(n ast.Node) bool {
					if e, ok := n.(ast.Expr); ok {
						if s, ok := stringValue(e); ok {
							code.WriteString(s + "\n")
						}
					}
					return true
				})
			}
			for _, module := range pythonModules(code.String()) {
				needs = append(needs, need{"python3:" + module, where})
			}
		}
		return true
	})
	return needs, nil
}

// stringValue is the value of a string literal, or of a constant declared
// in the same file with one.
func stringValue(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		}
	case *ast.Ident:
		if e.Obj != nil && e.Obj.Kind == ast.Con {
			if spec, ok := e.Obj.Decl.(*ast.ValueSpec); ok {
				for i, name := range spec.Names {
					if name.Name == e.Name && i < len(spec.Values) {
						return stringValue(spec.Values[i])
					}
				}
			}
		}
	}
	return "", false
}

// pythonModules lists the top-level modules, outside the standard library,
// that Python code imports.
func pythonModules(code string) []string {
	var modules []string
	for _, m := range pythonImport.FindAllStringSubmatch(code, -1) {
		names := m[2]
		if names == "" {
			names = m[1]
		}
		for _, name := range strings.Split(names, ",") {
			name, _, _ = strings.Cut(strings.TrimSpace(name), ".")
			name, _, _ = strings.Cut(name, " ")
			if name != "" && !pythonStdlib[name] {
				modules = append(modules, name)
			}
		}
	}
	slices.Sort(modules)
	return slices.Compact(modules)
}

// shellBuiltins are the words bash runs itself.
var shellBuiltins = map[string]bool{
	".": true, ":": true, "[": true, "alias": true, "break": true, "cd": true, "command": true,
	"compgen": true, "continue": true, "declare": true, "echo": true, "eval": true, "exec": true,
	"exit": true, "export": true, "false": true, "getopts": true, "local": true, "printf": true,
	"pwd": true, "read": true, "readonly": true, "return": true, "set": true, "shift": true,
	"source": true, "trap": true, "true": true, "type": true, "ulimit": true, "umask": true,
	"unset": true, "wait": true, "kill": true,
}

// scanShell finds the programs a shell script runs. lines maps the
// script's lines to the file's (a Makefile's recipes); nil is one to one.
func scanShell(rel, text string, lines []int, local map[string]bool) ([]need, error) {
	file, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(text), rel)
	if err != nil {
		return nil, err
	}
	functions := map[string]bool{}
	syntax.Walk(file, func(n syntax.Node) bool {
		if fn, ok := n.(*syntax.FuncDecl); ok {
			functions[fn.Name.Value] = true
		}
		return true
	})
	var needs []need
	add := func(w *syntax.Word) {
		name, ok := programOf(w, local)
		if !ok || shellBuiltins[name] || functions[name] {
			return
		}
		line := int(w.Pos().Line())
		if lines != nil {
			line = lines[line-1]
		}
		needs = append(needs, need{name, fmt.Sprintf("%s:%d", filepath.ToSlash(rel), line)})
	}
	syntax.Walk(file, func(n syntax.Node) bool {
		call, ok := n.(*syntax.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		args := call.Args
		for len(args) > 0 {
			add(args[0])
			switch args[0].Lit() {
			case "exec", "nohup", "xargs":
				args = args[1:]
			case "command":
				args = args[1:]
				if len(args) > 0 && args[0].Lit() == "-v" {
					for _, a := range args[1:] {
						add(a)
					}
					args = nil
				}
			case "runuser":
				// runuser -u USER [--] PROGRAM...
				args = args[1:]
				for len(args) > 0 && strings.HasPrefix(args[0].Lit(), "-") {
					if args[0].Lit() == "-u" {
						args = args[1:]
					}
					if len(args) > 0 && args[0].Lit() == "--" {
						args = args[1:]
						break
					}
					args = args[1:]
				}
			default:
				args = nil
			}
		}
		return true
	})
	return needs, nil
}

// programOf is the program a word names: its text when literal, or the base
// name after its last literal slash ("$bin/initdb"). A relative path or a
// name of one of the tree's own files is the project's, not the machine's.
func programOf(w *syntax.Word, local map[string]bool) (string, bool) {
	if lit := w.Lit(); lit != "" {
		if strings.Contains(lit, "/") && !strings.HasPrefix(lit, "/") {
			return "", false // a path in the tree (scripts/x.sh, bin/billing)
		}
		return path.Base(lit), true
	}
	parts := w.Parts
	if len(parts) == 1 {
		if dq, ok := parts[0].(*syntax.DblQuoted); ok {
			parts = dq.Parts
		}
	}
	if len(parts) == 0 {
		return "", false
	}
	lit, ok := parts[len(parts)-1].(*syntax.Lit)
	if !ok || !strings.Contains(lit.Value, "/") {
		return "", false // named at run time ("$binary", "$@")
	}
	name := path.Base(lit.Value)
	if local[name] {
		return "", false
	}
	return name, true
}

// makeExpansion matches the start of a make variable or function: $( or ${.
var makeExpansion = regexp.MustCompile(`\$[({]`)

// scanMakefile finds the programs a Makefile's recipes run: each recipe
// line (continuations joined) is read as a shell command, with make's own
// expansions replaced by a word and $$ by $.
func scanMakefile(root, rel string, local map[string]bool) ([]need, error) {
	text, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		return nil, err
	}
	var script strings.Builder
	var lines []int
	src := strings.Split(string(text), "\n")
	for i := 0; i < len(src); i++ {
		if !strings.HasPrefix(src[i], "\t") {
			continue
		}
		start, line := i+1, strings.TrimPrefix(src[i], "\t")
		for strings.HasSuffix(line, `\`) && i+1 < len(src) {
			i++
			line = strings.TrimSuffix(line, `\`) + " " + strings.TrimSpace(src[i])
		}
		line = strings.TrimLeft(line, "@-+")
		script.WriteString(expandMake(line) + "\n")
		lines = append(lines, start)
	}
	return scanShell(rel, script.String(), lines, local)
}

// expandMake replaces make's $(…) and ${…}, nested or not, by one word, and
// $$ by $.
func expandMake(line string) string {
	var out strings.Builder
	for i := 0; i < len(line); i++ {
		if strings.HasPrefix(line[i:], "$$") {
			out.WriteByte('$')
			i++
			continue
		}
		if loc := makeExpansion.FindStringIndex(line[i:]); loc != nil && loc[0] == 0 {
			depth := 0
			for j := i + 1; j < len(line); j++ {
				switch line[j] {
				case '(', '{':
					depth++
				case ')', '}':
					depth--
				}
				if depth == 0 {
					i = j
					break
				}
			}
			out.WriteString("MAKE")
			continue
		}
		out.WriteByte(line[i])
	}
	return out.String()
}
