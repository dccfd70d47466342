package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/openbilling/billing/emit"
	"github.com/openbilling/billing/ledger"
	"github.com/openbilling/billing/store"
)

// Breach is one broken guarantee of §12, on one line with the ids.
type Breach struct {
	Guarantee string `json:"guarantee"` // "12.1" … "12.8"
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

// Verify checks the guarantees of §12 on the database and the invoice
// files, all in one snapshot of the database. With fullFiles it reads every
// file and compares its SHA-256; otherwise it checks each file's presence
// and size. §12.2's "finalized invoices never change" and §12.6 are held by
// the schema's triggers and the run's synchronous last commit; §12.5 waits
// for the ledger.
func Verify(ctx context.Context, db *store.DB, fullFiles bool) (*Verification, error) {
	start := time.Now()
	snap, err := store.OpenSnapshot(ctx, db)
	if err != nil {
		return nil, err
	}
	defer snap.Close()
	v := &Verification{}
	for _, c := range store.Checks {
		found, err := snap.Breaches(ctx, c)
		if err != nil {
			return nil, fmt.Errorf("checking %s (§%s): %w", c.Name, c.Guarantee, err)
		}
		v.Checks++
		for _, f := range found {
			v.Breaches = append(v.Breaches, Breach{Guarantee: c.Guarantee, Detail: f})
		}
	}
	triggers, err := snap.FinalTriggers(ctx)
	if err != nil {
		return nil, err
	}
	v.Checks++
	if triggers != 4 {
		v.Breaches = append(v.Breaches, Breach{Guarantee: "12.2", Detail: fmt.Sprintf("%d of the 4 triggers that keep finalized invoices final are enabled", triggers)})
	}
	feeBreaches, err := verifyFees(ctx, snap)
	if err != nil {
		return nil, err
	}
	v.Checks++
	v.Breaches = append(v.Breaches, feeBreaches...)
	files, err := snap.Files(ctx)
	if err != nil {
		return nil, err
	}
	v.Checks++
	for _, f := range files {
		v.Files++
		if detail := verifyFile(f.Path, f.SHA256, f.Size, fullFiles); detail != "" {
			v.Breaches = append(v.Breaches, Breach{Guarantee: "12.4", Detail: fmt.Sprintf("invoice %s, %s file %s: %s", f.Number, f.Kind, f.Path, detail)})
		}
	}
	v.Duration = time.Since(start)
	return v, nil
}

// verifyFees checks that each late fee is its policy's (§12.7): the policy
// in effect on the overdue invoice's due date, on what was due when the fee
// was assessed.
func verifyFees(ctx context.Context, snap *store.Snapshot) ([]Breach, error) {
	fees, err := snap.LateFees(ctx)
	if err != nil || len(fees) == 0 {
		return nil, err
	}
	stored, err := snap.LateFeePolicies(ctx)
	if err != nil {
		return nil, err
	}
	policies := lateFeePolicies(stored)
	var out []Breach
	for _, f := range fees {
		p, found := ledger.PolicyOn(policies, f.Currency, f.DueDate)
		switch {
		case !found:
			out = append(out, Breach{Guarantee: "12.7", Detail: fmt.Sprintf("invoice %s was assessed a late fee of %s %s, but no %s policy applies on its due date %s",
				f.Invoice, f.Fee, f.Currency, f.Currency, f.DueDate)})
		case !p.Fee(f.AmountDue).Equal(f.Fee):
			out = append(out, Breach{Guarantee: "12.7", Detail: fmt.Sprintf("invoice %s was assessed a late fee of %s %s on %s due; its policy makes it %s",
				f.Invoice, f.Fee, f.Currency, f.AmountDue, p.Fee(f.AmountDue))})
		}
	}
	return out, nil
}

// verifyFile says what is wrong with a recorded file, or "".
func verifyFile(path, sum string, size *int64, full bool) string {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "missing"
	case err != nil:
		return err.Error()
	case size != nil && info.Size() != *size:
		return fmt.Sprintf("%d bytes, recorded %d", info.Size(), *size)
	case !full:
		return ""
	}
	got, err := emit.FileSHA256(path)
	if err != nil {
		return err.Error()
	}
	if got != sum {
		return fmt.Sprintf("SHA-256 %s, recorded %s", got, sum)
	}
	return ""
}
