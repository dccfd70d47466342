package sql

import (
	"embed"
	"strings"
)

//go:embed queries/*.sql
var queries embed.FS

// Query returns the text of the named query in queries/ (without ".sql").
// A missing query is a programming error: the package's tests find every
// name the code passes here and check that its file exists.
func Query(name string) string {
	b, err := queries.ReadFile("queries/" + name + ".sql")
	if err != nil {
		panic("sql: no query " + name)
	}
	return strings.TrimSpace(string(b))
}

// QueryNames lists every query, for tests that check they all parse.
func QueryNames() []string {
	entries, _ := queries.ReadDir("queries")
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".sql"))
	}
	return names
}
