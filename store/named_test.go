package store_test

import (
	"database/sql/driver"
	"reflect"
	"strings"
	"testing"

	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/store"
)

type params struct {
	Account string            `db:"account"`
	Amounts []decimal.Decimal `db:"amounts"`
	IDs     []string          `db:"ids"`
	Raw     []byte            `db:"raw"`
	Array   pq.StringArray    `db:"array"`
}

// Every name has its field and every field its name, else the query does
// not load; slices go as arrays, except bytes and values of their own.
func TestAQueryAndItsParametersAgree(t *testing.T) {
	t.Parallel()
	text := "SELECT @ids, @account, @amounts, @raw, @array, @account"
	if out, err := store.CompileNamed[params](text); err != nil || out != "SELECT $1, $2, $3, $4, $5, $2" {
		t.Fatalf("got %q %v", out, err)
	}
	if _, err := store.CompileNamed[params]("SELECT @ids, @account, @amounts, @raw"); err == nil || !strings.Contains(err.Error(), `field db:"array" is not a parameter`) {
		t.Errorf("a field left out: %v", err)
	}
	if _, err := store.CompileNamed[params](text + ", @other"); err == nil || !strings.Contains(err.Error(), `no field tagged db:"other"`) {
		t.Errorf("a name without a field: %v", err)
	}
	// A row type's other fields are the database's, not parameters.
	if out, err := store.CompileNamedRow[params]("SELECT @account"); err != nil || out != "SELECT $1" {
		t.Errorf("a row's parameters: %q %v", out, err)
	}
	if _, err := store.CompileNamedRow[params]("SELECT @other"); err == nil {
		t.Error("a row without the name: no error")
	}
	p := params{Account: "A1", Amounts: []decimal.Decimal{decimal.RequireFromString("1.50")}, IDs: []string{"x"}, Raw: []byte("r"), Array: pq.StringArray{"y"}}
	args := store.NamedArgs(text, p)
	want := []any{pq.Array([]string{"x"}), "A1", pq.Array(p.Amounts), []byte("r"), pq.StringArray{"y"}}
	if !reflect.DeepEqual(args, want) {
		t.Errorf("args %#v, want %#v", args, want)
	}
	empty, err := store.NamedArgs(text, params{})[0].(driver.Valuer).Value()
	if err != nil || empty != "{}" {
		t.Errorf("a nil slice goes as %#v (%v), want the empty array {}", empty, err)
	}
}
