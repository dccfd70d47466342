// Package docs checks that the repository explains itself: every section
// of the rules that the code, the queries or the documents cite (§7,
// §12.3) is stated in docs/RULES.md.
package docs

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var (
	cited  = regexp.MustCompile(`§ ?([0-9]+(?:\.[0-9]+)?)`)
	stated = regexp.MustCompile(`(?m)^#{2,3} §([0-9]+(?:\.[0-9]+)?) `)
)

// skipped are the folders that hold no sources of the repository.
var skipped = []string{".git", ".pgdata", "bin", "out", "node_modules"}

func TestEverySectionCitedIsStated(t *testing.T) {
	root := "../../.."
	rules, err := os.ReadFile(filepath.Join(root, "docs", "RULES.md"))
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]bool{}
	for _, m := range stated.FindAllStringSubmatch(string(rules), -1) {
		sections[m[1]] = true
	}
	if len(sections) < 12 {
		t.Fatalf("docs/RULES.md states %d sections; it should state §1 to §12", len(sections))
	}
	citations := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if slices.Contains(skipped, d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(path) {
		case ".go", ".sql", ".md", ".html", ".sh", ".yaml", ".txt":
		default:
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for i, line := range strings.Split(string(b), "\n") {
			for _, m := range cited.FindAllStringSubmatch(line, -1) {
				citations++
				if !sections[m[1]] {
					t.Errorf("%s:%d cites §%s, which docs/RULES.md does not state", rel, i+1, m[1])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if citations < 100 {
		t.Fatalf("found %d citations of the rules; the walk missed the sources", citations)
	}
}
