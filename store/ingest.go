package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	billingsql "github.com/openbilling/billing/sql"
)

// ImportTable is where one kind of CSV record lands (§10): the table,
// its columns in the table's order, the key that identifies a record, the
// ON CONFLICT target that matches the key, and the references that must
// already be stored.
type ImportTable struct {
	Table    string
	Columns  []ImportColumn
	Key      []string
	Conflict string
	Refs     []ImportRef
}

// ImportColumn is one column of an ImportTable.
type ImportColumn struct {
	Name     string
	SQLType  string // the staging column's type: text, numeric, date, timestamptz, smallint
	Required bool   // never NULL, so keys compare with = rather than IS NOT DISTINCT FROM
	Default  string // what is stored when an optional value is absent; "" stores NULL
}

// ImportRef is a column whose value must exist in another table's column.
type ImportRef struct {
	Column, Table, TableColumn string
}

// ImportRule is a rule checked over a staged file together with what is
// stored: the query selects the lines (column "line", from the staging
// table "s") that break it.
type ImportRule string

// NewLicenceWithoutSeats selects new licence orders of 0 seats.
var NewLicenceWithoutSeats = ImportRule(billingsql.Query("import_rule_new_licence_without_seats"))

// stageTable holds one file's rows, with their line numbers, for the length
// of the import's transaction.
const stageTable = "import_stage"

var (
	importRecordInsert = named[importRecord](billingsql.Query("import_record"))
	ingestBatchInsert  = named[ingestBatch](billingsql.Query("ingest_batch_insert"))
)

// Import is one file's import: a transaction that either adds all of the
// file's new records or nothing.
type Import struct {
	tx     *sqlx.Tx
	table  *ImportTable
	staged bool // copies go to the staging table rather than the table itself
}

// BeginImport starts the transaction of one file's import into table.
func BeginImport(ctx context.Context, db *DB, table *ImportTable) (*Import, error) {
	tx, err := db.x.BeginTxx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &Import{tx: tx, table: table}, nil
}

// Rollback abandons the import; a no-op after Commit.
func (im *Import) Rollback() { _ = im.tx.Rollback() }

// Commit ends the import, adding what it added.
func (im *Import) Commit() error { return im.tx.Commit() }

// TryDirect marks the point an attempt to copy straight into the table can
// be undone to (AbandonDirect).
func (im *Import) TryDirect(ctx context.Context) error {
	_, err := im.tx.ExecContext(ctx, "SAVEPOINT direct_copy")
	return err
}

// AbandonDirect undoes a direct copy that met a stored or repeated key.
func (im *Import) AbandonDirect(ctx context.Context) error {
	_, err := im.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT direct_copy")
	return err
}

// Stage creates the staging table, dropped at the end of the transaction;
// copies made afterwards go there, each row with its line number.
func (im *Import) Stage(ctx context.Context) error {
	defs := []string{"line bigint NOT NULL"}
	for _, c := range im.table.Columns {
		defs = append(defs, c.Name+" "+c.SQLType)
	}
	if _, err := im.tx.ExecContext(ctx, fmt.Sprintf("CREATE TEMP TABLE %s (%s) ON COMMIT DROP", stageTable, strings.Join(defs, ", "))); err != nil {
		return err
	}
	im.staged = true
	return nil
}

// Copy streams rows into the table, or into the staging table once staged.
type Copy struct {
	stmt   *sql.Stmt
	staged bool
}

// Copy starts a COPY of rows into the import.
func (im *Import) Copy(ctx context.Context) (*Copy, error) {
	table, columns := im.table.Table, im.table.columnNames()
	if im.staged {
		table, columns = stageTable, append([]string{"line"}, columns...)
	}
	stmt, err := im.tx.PrepareContext(ctx, fmt.Sprintf("COPY %s (%s) FROM STDIN", table, strings.Join(columns, ", ")))
	if err != nil {
		return nil, err
	}
	return &Copy{stmt: stmt, staged: im.staged}, nil
}

// Row sends one row: values[0] is its line number, kept only when staged,
// and the rest are the table's columns in order. PostgreSQL may report a
// refused row on a later call.
func (c *Copy) Row(ctx context.Context, values []any) error {
	if !c.staged {
		values = values[1:]
	}
	_, err := c.stmt.ExecContext(ctx, values...)
	return err
}

// End finishes the COPY and says whether PostgreSQL took every row.
func (c *Copy) End(ctx context.Context) error {
	_, err := c.stmt.ExecContext(ctx)
	if closeErr := c.stmt.Close(); err == nil {
		err = closeErr
	}
	return err
}

// Close ends an abandoned COPY before the rollback; a no-op after End.
func (c *Copy) Close() { _ = c.stmt.Close() }

// StagedRows counts the staged rows.
func (im *Import) StagedRows(ctx context.Context) (int64, error) {
	var n int64
	err := im.tx.GetContext(ctx, &n, "SELECT count(*) FROM "+stageTable)
	return n, err
}

// StagedValue is a staged row's line and one of its values.
type StagedValue struct {
	Line  int    `db:"line"`
	Value string `db:"value"`
}

// MissingReferences lists, in line order and at most limit of them, the
// staged rows whose reference ref (an index into the table's Refs) is not stored.
func (im *Import) MissingReferences(ctx context.Context, ref, limit int) ([]StagedValue, error) {
	r := im.table.Refs[ref]
	var rows []StagedValue
	err := im.tx.SelectContext(ctx, &rows, fmt.Sprintf(`SELECT s.line, s.%[1]s AS value FROM %[2]s s
		WHERE NOT EXISTS (SELECT 1 FROM %[3]s t WHERE t.%[4]s = s.%[1]s)
		ORDER BY s.line LIMIT %[5]d`, r.Column, stageTable, r.Table, r.TableColumn, limit))
	return rows, err
}

// RuleBreaks lists, in order and at most limit of them, the staged lines that break rule.
func (im *Import) RuleBreaks(ctx context.Context, rule ImportRule, limit int) ([]int, error) {
	var lines []int
	err := im.tx.SelectContext(ctx, &lines, fmt.Sprintf("%s ORDER BY s.line LIMIT %d", rule, limit))
	return lines, err
}

// AddStaged adds the staged records that are not yet stored and returns how
// many it added. A file of new records, the common case, is added by a
// plain INSERT in key order; if a key is stored already or repeated in the
// file, that attempt is rolled back to its savepoint and ON CONFLICT DO
// NOTHING skips the keys stored (and, within one statement, those repeated).
func (im *Import) AddStaged(ctx context.Context) (int64, error) {
	cols := strings.Join(im.table.columnNames(), ", ")
	insert := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s", im.table.Table, cols, cols, stageTable)
	if _, err := im.tx.ExecContext(ctx, "SAVEPOINT add_staged"); err != nil {
		return 0, err
	}
	result, err := im.tx.ExecContext(ctx, insert+" ORDER BY "+strings.Join(im.table.Key, ", "))
	if IsUniqueViolation(err) {
		if _, err := im.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT add_staged"); err != nil {
			return 0, err
		}
		result, err = im.tx.ExecContext(ctx, insert+" ON CONFLICT "+im.table.Conflict+" DO NOTHING")
	}
	if err != nil {
		return 0, err
	}
	return result.RowsAffected()
}

// ImportConflict is a staged row whose key is stored, or repeated earlier
// in the file, with different content.
type ImportConflict struct {
	Line    int    `db:"line"`
	Key     string `db:"key"`     // the key, as "column=value ..."
	Earlier *int   `db:"earlier"` // the earlier line of the file with the key, if any
}

// Conflicts lists, in line order and at most limit of them, the staged rows
// whose key is stored or repeated with different content in the columns
// the file has (present): a file without an optional column does not
// contradict what is stored in it (an account's payment terms set by
// billing account set-payment-terms). It is meant for when some rows were
// not added, so a file of new records never pays for it.
func (im *Import) Conflicts(ctx context.Context, limit int, present []string) ([]ImportConflict, error) {
	t := im.table
	if _, err := im.tx.ExecContext(ctx, fmt.Sprintf("CREATE INDEX ON %s (%s)", stageTable, strings.Join(t.Key, ", "))); err != nil {
		return nil, err
	}
	var rows []ImportConflict
	err := im.tx.SelectContext(ctx, &rows, fmt.Sprintf(`SELECT s.line, %[1]s AS key,
			(SELECT min(p.line) FROM %[2]s p WHERE %[3]s AND p.line < s.line AND %[4]s) AS earlier
		FROM %[2]s s JOIN %[5]s t ON %[6]s
		WHERE %[7]s
		ORDER BY s.line LIMIT %[8]d`,
		t.keyText("s"), stageTable, t.keyMatch("p", "s"), t.contentDiffers("p", "s", present),
		t.Table, t.keyMatch("s", "t"), t.contentDiffers("s", "t", present), limit))
	return rows, err
}

// Record notes the import in the imports table.
func (im *Import) Record(ctx context.Context, kind, file, digest string, rows, added int64) error {
	_, err := importRecordInsert.exec(ctx, im.tx, importRecord{kind, file, digest, rows, added})
	return err
}

// RecordBatch records the import's transaction with the span of its
// records' activity dates (§7: late records are looked for only in
// the imports a closed window did not see, and only in the windows their
// dates reach).
func (im *Import) RecordBatch(ctx context.Context, kind, firstActivity, lastActivity string) error {
	_, err := ingestBatchInsert.exec(ctx, im.tx, ingestBatch{kind, firstActivity, lastActivity})
	return err
}

// AnalyzeTable refreshes a table's statistics after a bulk load, so the
// next queries are planned for the table as it now is.
func AnalyzeTable(ctx context.Context, db *DB, table string) error {
	_, err := db.x.ExecContext(ctx, "ANALYZE "+pq.QuoteIdentifier(table))
	return err
}

func (t *ImportTable) columnNames() []string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return names
}

func (t *ImportTable) isKey(name string) bool {
	for _, k := range t.Key {
		if k == name {
			return true
		}
	}
	return false
}

// keyMatch is the SQL condition under which rows a and b share a key.
func (t *ImportTable) keyMatch(a, b string) string {
	var conds []string
	for _, c := range t.Columns {
		if !t.isKey(c.Name) {
			continue
		}
		op := "="
		if !c.Required {
			op = "IS NOT DISTINCT FROM"
		}
		conds = append(conds, fmt.Sprintf("%s.%s %s %s.%s", a, c.Name, op, b, c.Name))
	}
	return strings.Join(conds, " AND ")
}

// contentDiffers is the SQL condition under which rows a and b hold
// different content in the columns present.
func (t *ImportTable) contentDiffers(a, b string, present []string) string {
	left, right := []string{"true"}, []string{"true"} // a row of no column is still a row
	for _, c := range t.Columns {
		if !t.isKey(c.Name) && slices.Contains(present, c.Name) {
			left = append(left, a+"."+c.Name)
			right = append(right, b+"."+c.Name)
		}
	}
	return fmt.Sprintf("ROW(%s) IS DISTINCT FROM ROW(%s)", strings.Join(left, ", "), strings.Join(right, ", "))
}

// keyText renders a row's key for an error message.
func (t *ImportTable) keyText(alias string) string {
	var parts []string
	for _, k := range t.Key {
		parts = append(parts, fmt.Sprintf("'%s=' || coalesce(%s.%s::text, '(none)')", k, alias, k))
	}
	return strings.Join(parts, " || ' ' || ")
}

// ingestBatch are the parameters of ingest_batch_insert.
type ingestBatch struct {
	Kind  string `db:"kind"`
	First string `db:"first_activity"`
	Last  string `db:"last_activity"`
}

// importRecord are the parameters of import_record.
type importRecord struct {
	Kind   string `db:"kind"`
	File   string `db:"file_name"`
	Digest string `db:"file_sha256"`
	Rows   int64  `db:"rows_read"`
	Added  int64  `db:"rows_added"`
}
