package emit

import (
	"context"
	"fmt"

	"github.com/openbilling/billing/invoices"
	"github.com/openbilling/billing/store"
)

// HealedFile is an invoice's file as it is on disk after Heal.
type HealedFile struct {
	Kind, Path, SHA256 string
}

// Heal makes sure the files of one invoice are on disk as recorded, and
// returns them by kind: a file that is missing, altered or not written yet
// is written first, byte for byte as the emit stage would (§11: a
// download serves the stored file, regenerated first if missing or
// altered). The common case, every file as recorded, costs a stat per file
// and takes no lock.
func (e *FileEmitter) Heal(ctx context.Context, db *store.DB, number string) (map[string]HealedFile, error) {
	out, missing, err := e.check(ctx, db, number)
	if err != nil || len(missing) == 0 {
		return out, err
	}
	unlock, err := store.LockEmit(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("waiting for another emit: %w", err)
	}
	defer unlock()
	// Another emitter may have healed the files while this one waited.
	out, missing, err = e.check(ctx, db, number)
	if err != nil || len(missing) == 0 {
		return out, err
	}
	inv, _, _, err := store.InvoiceForEmit(ctx, db, number)
	if err != nil {
		return nil, fmt.Errorf("reading invoice %s: %w", number, err)
	}
	s, err := store.NewEmitSession(ctx, db)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	if _, err := e.writeBatch(ctx, s, []emitTask{{inv: inv, files: missing}}); err != nil {
		return nil, err
	}
	out, missing, err = e.check(ctx, db, number)
	if err == nil && len(missing) > 0 {
		err = fmt.Errorf("the %s file of invoice %s is still not as recorded after writing it", missing[0].kind, number)
	}
	return out, err
}

// check returns the files of an invoice that are on disk as recorded, and
// those to write. An unknown invoice is invoices.ErrNoInvoice.
func (e *FileEmitter) check(ctx context.Context, db store.Queryer, number string) (map[string]HealedFile, []emitFile, error) {
	inv, files, found, err := store.InvoiceForEmit(ctx, db, number)
	switch {
	case err != nil:
		return nil, nil, fmt.Errorf("reading invoice %s: %w", number, err)
	case !found:
		return nil, nil, fmt.Errorf("%w: %s", invoices.ErrNoInvoice, number)
	}
	stored := map[string]store.StoredFile{}
	for _, f := range files {
		stored[f.Kind] = f
	}
	ok := map[string]HealedFile{}
	var missing []emitFile
	for _, kind := range invoices.FileKinds {
		path := e.Path(inv, kind)
		if prev, found := stored[kind]; found && sameFolder(prev.Path, path) {
			if unchanged, _ := checkFile(prev); unchanged {
				ok[kind] = HealedFile{Kind: kind, Path: prev.Path, SHA256: prev.SHA256}
				continue
			}
		}
		missing = append(missing, emitFile{kind, path})
	}
	return ok, missing, nil
}
