package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/jmoiron/sqlx"

	billingsql "github.com/openbilling/billing/sql"
)

// Breach is one broken guarantee of SPEC §12, on one line with the ids.
type Breach struct {
	Guarantee string `json:"guarantee"` // "12.1" … "12.6"
	Detail    string `json:"detail"`
}

func (b Breach) String() string { return "§" + b.Guarantee + " " + b.Detail }

// Verification is what Verify checked and found.
type Verification struct {
	Breaches []Breach      `json:"breaches"`
	Checks   int           `json:"checks"`
	Files    int           `json:"files"`
	Duration time.Duration `json:"-"`
}

// verifyQueries are the checks made in SQL, each with its guarantee.
var verifyQueries = []struct{ guarantee, name, query string }{
	{"12.1", "duplicate invoices", billingsql.Query("verify_duplicate_invoices")},
	{"12.1", "invoice numbers", billingsql.Query("verify_invoice_numbers")},
	{"12.1", "closed windows", billingsql.Query("verify_windows")},
	{"12.2", "invoice sums", billingsql.Query("verify_invoice_sums")},
	{"12.3", "usage billed", billingsql.Query("verify_usage_billed")},
	{"12.3", "orders billed", billingsql.Query("verify_orders_billed")},
}

// Verify checks the guarantees of SPEC §12 on the database and the invoice
// files, all in one snapshot of the database. With fullFiles it reads every
// file and compares its SHA-256; otherwise it checks each file's presence
// and size. §12.2's "finalized invoices never change" and §12.6 are held by
// the schema's triggers and the run's synchronous last commit; §12.5 waits
// for the ledger.
func Verify(ctx context.Context, db *sqlx.DB, fullFiles bool) (*Verification, error) {
	start := time.Now()
	tx, err := db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // read only
	// Its queries join whole tables once: memory for the hashes, and no
	// just-in-time compilation, which cost more than it saved.
	if _, err := tx.ExecContext(ctx, `SET LOCAL work_mem = '64MB'; SET LOCAL jit = off`); err != nil {
		return nil, err
	}
	v := &Verification{}
	for _, q := range verifyQueries {
		var found []string
		if err := tx.SelectContext(ctx, &found, q.query); err != nil {
			return nil, fmt.Errorf("checking %s (§%s): %w", q.name, q.guarantee, err)
		}
		v.Checks++
		for _, f := range found {
			v.Breaches = append(v.Breaches, Breach{Guarantee: q.guarantee, Detail: f})
		}
	}
	var triggers int
	if err := tx.GetContext(ctx, &triggers, billingsql.Query("verify_final_triggers")); err != nil {
		return nil, err
	}
	v.Checks++
	if triggers != 4 {
		v.Breaches = append(v.Breaches, Breach{Guarantee: "12.2", Detail: fmt.Sprintf("%d of the 4 triggers that keep finalized invoices final are enabled", triggers)})
	}
	rows, err := tx.QueryxContext(ctx, billingsql.Query("invoice_file_list_all"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	v.Checks++
	for rows.Next() {
		var f struct {
			Number, Kind, Path, SHA256 string
			Size, ModifiedNS           sql.NullInt64
		}
		if err := rows.Scan(&f.Number, &f.Kind, &f.Path, &f.SHA256, &f.Size, &f.ModifiedNS); err != nil {
			return nil, err
		}
		v.Files++
		if detail := verifyFile(f.Path, f.SHA256, f.Size, fullFiles); detail != "" {
			v.Breaches = append(v.Breaches, Breach{Guarantee: "12.4", Detail: fmt.Sprintf("invoice %s, %s file %s: %s", f.Number, f.Kind, f.Path, detail)})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	v.Duration = time.Since(start)
	return v, nil
}

// verifyFile says what is wrong with a recorded file, or "".
func verifyFile(path, sum string, size sql.NullInt64, full bool) string {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "missing"
	case err != nil:
		return err.Error()
	case size.Valid && info.Size() != size.Int64:
		return fmt.Sprintf("%d bytes, recorded %d", info.Size(), size.Int64)
	case !full:
		return ""
	}
	got, err := fileSHA256(path)
	if err != nil {
		return err.Error()
	}
	if got != sum {
		return fmt.Sprintf("SHA-256 %s, recorded %s", got, sum)
	}
	return ""
}
