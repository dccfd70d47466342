package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"reflect"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	billingsql "github.com/openbilling/billing/sql"
)

// Queries bind their parameters by name. A query of two or more
// parameters names them in its text (@account, @run_id) and is run with a
// struct of its own, P, whose fields carry the names in db tags; a query
// of one parameter takes it as $1 and its store function's one argument,
// as sqlc does by default. A name the struct lacks, or a field the text
// never names, stops the program when the package loads, so every query
// is checked by the first test that imports the store.
//
// The names are read by billingsql.Bind.
type query[P any] struct {
	text   string  // with $1, $2, … in place of the names
	fields [][]int // per $n, the index path of P's field
}

// named compiles a query's text for parameters P.
func named[P any](text string) query[P] {
	return mustCompile[P](text, false)
}

// namedRow compiles a query that takes its parameters from a row type P:
// every name has its field, and P's other fields (the columns the
// database fills in, an id, a status) are not parameters.
func namedRow[P any](text string) query[P] {
	return mustCompile[P](text, true)
}

func mustCompile[P any](text string, row bool) query[P] {
	q, err := compileNamed[P](text, row)
	if err != nil {
		panic(err)
	}
	return q
}

func compileNamed[P any](text string, row bool) (query[P], error) {
	out, names, err := billingsql.Bind(text)
	if err != nil {
		return query[P]{}, err
	}
	t := reflect.TypeFor[P]()
	if t.Kind() != reflect.Struct {
		return query[P]{}, fmt.Errorf("store: the parameters of a named query must be a struct, not %s", t)
	}
	byName := map[string][]int{}
	for _, f := range reflect.VisibleFields(t) {
		if tag := f.Tag.Get("db"); tag != "" && f.IsExported() {
			byName[tag] = f.Index
		}
	}
	q := query[P]{text: out}
	used := map[string]bool{}
	for _, n := range names {
		idx, ok := byName[n]
		if !ok {
			return query[P]{}, fmt.Errorf("store: %s has no field tagged db:%q for @%s in %s", t, n, n, billingsql.FirstLine(text))
		}
		q.fields = append(q.fields, idx)
		used[n] = true
	}
	for n := range byName {
		if !used[n] && !row {
			return query[P]{}, fmt.Errorf("store: %s's field db:%q is not a parameter of %s", t, n, billingsql.FirstLine(text))
		}
	}
	return q, nil
}

// args are p's fields in the order of the query's $n. A slice goes to
// the driver as a PostgreSQL array, unless it is bytes or values itself;
// a nil slice as an empty array, not NULL, as a slice of none was meant.
func (q query[P]) args(p P) []any {
	v := reflect.ValueOf(p)
	out := make([]any, len(q.fields))
	for i, idx := range q.fields {
		f := v.FieldByIndex(idx)
		a := f.Interface()
		if _, ok := a.(driver.Valuer); !ok && f.Kind() == reflect.Slice && f.Type().Elem().Kind() != reflect.Uint8 {
			if f.IsNil() {
				a = reflect.MakeSlice(f.Type(), 0, 0).Interface()
			}
			a = pq.Array(a)
		}
		out[i] = a
	}
	return out
}

func (q query[P]) exec(ctx context.Context, x sqlx.ExecerContext, p P) (sql.Result, error) {
	return x.ExecContext(ctx, q.text, q.args(p)...)
}

// sel reads every row into dest, a pointer to a slice.
func (q query[P]) sel(ctx context.Context, x sqlx.QueryerContext, dest any, p P) error {
	return sqlx.SelectContext(ctx, x, dest, q.text, q.args(p)...)
}

// get reads the one row into dest; sql.ErrNoRows when there is none.
func (q query[P]) get(ctx context.Context, x sqlx.QueryerContext, dest any, p P) error {
	return sqlx.GetContext(ctx, x, dest, q.text, q.args(p)...)
}

func (q query[P]) rows(ctx context.Context, x sqlx.QueryerContext, p P) (*sqlx.Rows, error) {
	return x.QueryxContext(ctx, q.text, q.args(p)...)
}

// getNamed reads the one row of a named query into a T; found is false
// when the query returns no row.
func getNamed[T, P any](ctx context.Context, x sqlx.QueryerContext, q query[P], p P) (T, bool, error) {
	return getOne[T](ctx, x, q.text, q.args(p)...)
}

// on is the query with table in place of every mention of name: a query
// written for the run's usage_days read from one run's table of it.
func (q query[P]) on(name, table string) query[P] {
	q.text = strings.ReplaceAll(q.text, name, table)
	return q
}
