package ingest

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// stageTable holds one file's rows, with their line numbers, for the length
// of the import's transaction.
const stageTable = "import_stage"

func stageColumns(kind *Kind) []string {
	cols := []string{"line"}
	for _, c := range kind.Columns {
		cols = append(cols, c.Name)
	}
	return cols
}

func stageTableSQL(kind *Kind) string {
	defs := []string{"line bigint NOT NULL"}
	for _, c := range kind.Columns {
		defs = append(defs, c.Name+" "+c.SQLType)
	}
	return fmt.Sprintf("CREATE TEMP TABLE %s (%s) ON COMMIT DROP", stageTable, strings.Join(defs, ", "))
}

func tableColumns(kind *Kind) string {
	return strings.Join(stageColumns(kind)[1:], ", ")
}

// insertSQL adds the staged records that are not yet stored. Within one
// statement ON CONFLICT DO NOTHING also skips a key repeated in the file.
func insertSQL(kind *Kind) string {
	cols := tableColumns(kind)
	return fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s ON CONFLICT %s DO NOTHING",
		kind.Table, cols, cols, stageTable, kind.Conflict)
}

// keyMatch is the SQL condition under which rows a and b share a key.
func keyMatch(kind *Kind, a, b string) string {
	var conds []string
	for _, k := range kind.Key {
		op := "="
		if !kind.column(k).Required {
			op = "IS NOT DISTINCT FROM"
		}
		conds = append(conds, fmt.Sprintf("%s.%s %s %s.%s", a, k, op, b, k))
	}
	return strings.Join(conds, " AND ")
}

// contentDiffers is the SQL condition under which rows a and b hold different content.
func contentDiffers(kind *Kind, a, b string) string {
	var left, right []string
	for _, c := range kind.Columns {
		if !kind.isKey(c.Name) {
			left = append(left, a+"."+c.Name)
			right = append(right, b+"."+c.Name)
		}
	}
	return fmt.Sprintf("ROW(%s) IS DISTINCT FROM ROW(%s)", strings.Join(left, ", "), strings.Join(right, ", "))
}

// keyText renders a row's key for an error message.
func keyText(kind *Kind, alias string) string {
	var parts []string
	for _, k := range kind.Key {
		parts = append(parts, fmt.Sprintf("'%s=' || coalesce(%s.%s::text, '(none)')", k, alias, k))
	}
	return strings.Join(parts, " || ' ' || ")
}

func (k *Kind) column(name string) Column {
	return k.Columns[indexOf(k, name)]
}

func (k *Kind) isKey(name string) bool {
	for _, key := range k.Key {
		if key == name {
			return true
		}
	}
	return false
}

// missingReferences reports staged rows whose references do not exist, and
// those that break one of the kind's staged rules.
func missingReferences(ctx context.Context, tx *sqlx.Tx, kind *Kind, file string, positions map[string]int) (*Error, error) {
	failed := &Error{File: file}
	for _, ref := range kind.Refs {
		var rows []struct {
			Line  int    `db:"line"`
			Value string `db:"value"`
		}
		query := fmt.Sprintf(`SELECT s.line, s.%[1]s AS value FROM %[2]s s
			WHERE NOT EXISTS (SELECT 1 FROM %[3]s t WHERE t.%[4]s = s.%[1]s)
			ORDER BY s.line LIMIT %[5]d`, ref.Column, stageTable, ref.Table, ref.TableColumn, maxReported+1)
		if err := tx.SelectContext(ctx, &rows, query); err != nil {
			return nil, err
		}
		for _, r := range rows {
			failed.add(&RowError{File: file, Line: r.Line, Column: positions[ref.Column] + 1, Name: ref.Column,
				Reason: fmt.Sprintf("unknown %s %s (import it first)", ref.What, quote(r.Value))})
		}
	}
	for _, rule := range kind.StagedRules {
		var lines []int
		if err := tx.SelectContext(ctx, &lines, fmt.Sprintf("%s ORDER BY s.line LIMIT %d", rule.Lines, maxReported+1)); err != nil {
			return nil, err
		}
		for _, line := range lines {
			failed.add(&RowError{File: file, Line: line, Column: positions[rule.Column] + 1, Name: rule.Column, Reason: rule.Reason})
		}
	}
	if len(failed.Rows) == 0 {
		return nil, nil
	}
	return failed, nil
}

// conflicts reports staged rows whose key is stored, or repeated earlier in
// the file, with different content. It runs only when some rows were not
// added, so the common case of a file of new records never pays for it.
func conflicts(ctx context.Context, tx *sqlx.Tx, kind *Kind, file string, positions map[string]int) (*Error, error) {
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("CREATE INDEX ON %s (%s)", stageTable, strings.Join(kind.Key, ", "))); err != nil {
		return nil, err
	}
	var rows []struct {
		Line    int    `db:"line"`
		Key     string `db:"key"`
		Earlier *int   `db:"earlier"`
	}
	query := fmt.Sprintf(`SELECT s.line, %[1]s AS key,
			(SELECT min(p.line) FROM %[2]s p WHERE %[3]s AND p.line < s.line AND %[4]s) AS earlier
		FROM %[2]s s JOIN %[5]s t ON %[6]s
		WHERE %[7]s
		ORDER BY s.line LIMIT %[8]d`,
		keyText(kind, "s"), stageTable, keyMatch(kind, "p", "s"), contentDiffers(kind, "p", "s"),
		kind.Table, keyMatch(kind, "s", "t"), contentDiffers(kind, "s", "t"), maxReported+1)
	if err := tx.SelectContext(ctx, &rows, query); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	failed := &Error{File: file}
	first := kind.Key[0]
	for _, r := range rows {
		reason := fmt.Sprintf("%s is already stored with different content (the same id must always carry the same data)", r.Key)
		if r.Earlier != nil {
			reason = fmt.Sprintf("%s repeats line %d with different content", r.Key, *r.Earlier)
		}
		failed.add(&RowError{File: file, Line: r.Line, Column: positions[first] + 1, Name: first, Reason: reason})
	}
	return failed, nil
}

func (e *Error) add(r *RowError) {
	if len(e.Rows) < maxReported {
		e.Rows = append(e.Rows, r)
	} else {
		e.More++
	}
}
