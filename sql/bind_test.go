package sql_test

import (
	"strings"
	"testing"

	billingsql "github.com/openbilling/billing/sql"
)

// A query's names become $n in order of first use, the same n for a name
// used again; PostgreSQL's casts, operators, literals, quoted identifiers,
// dollar-quoted bodies and comments keep their signs.
func TestAQueryBindsItsParametersByName(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, out, names string }{
		{"SELECT @a::date, @b", "SELECT $1::date, $2", "a b"},
		{"WHERE x = @account OR y = @account AND z = @run_id", "WHERE x = $1 OR y = $1 AND z = $2", "account run_id"},
		{"SELECT '@no', \"@no\", 'it''s @no', @yes", "SELECT '@no', \"@no\", 'it''s @no', $1", "yes"},
		{"SELECT a <@ @set, b @> @set2, c <@@x", "SELECT a <@ $1, b @> $2, c <@@x", "set set2"},
		{"-- for @no\nSELECT /* @no */ @yes", "-- for @no\nSELECT /* @no */ $1", "yes"},
		{"DO $$ SELECT @no $$; SELECT $b$ @no $b$, @yes", "DO $$ SELECT @no $$; SELECT $b$ @no $b$, $1", "yes"},
		{"SELECT @a\n", "SELECT $1\n", "a"},
	}
	for _, c := range cases {
		out, names, err := billingsql.Bind(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if out != c.out || strings.Join(names, " ") != c.names {
			t.Errorf("%q: got %q %v, want %q %s", c.in, out, names, c.out, c.names)
		}
	}
	for _, bad := range []string{"SELECT @a, $2", "SELECT 1", "SELECT /* open @a", "SELECT $x$ open @a"} {
		if _, _, err := billingsql.Bind(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
