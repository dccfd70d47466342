package ingest

import (
	"context"
	"fmt"

	"github.com/openbilling/billing/store"
)

// table is where the kind's records land, as the store has it; a kind
// without one is a programming error, caught by the package's tests.
func (k *Kind) table() *store.ImportTable {
	t, ok := store.ImportTableOf(k.Name)
	if !ok {
		panic("ingest: the store has no table for the kind " + k.Name)
	}
	return t
}

// missingReferences reports staged rows whose references do not exist, and
// those that break one of the kind's staged rules.
func missingReferences(ctx context.Context, tx *store.Import, kind *Kind, file string, positions map[string]int) (*Error, error) {
	failed := &Error{File: file}
	for i, ref := range kind.Refs {
		rows, err := tx.MissingReferences(ctx, i, maxReported+1)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			failed.add(&RowError{File: file, Line: r.Line, Column: positions[ref.Column] + 1, Name: ref.Column,
				Reason: fmt.Sprintf("unknown %s %s (import it first)", ref.What, quote(r.Value))})
		}
	}
	for _, rule := range kind.StagedRules {
		lines, err := tx.RuleBreaks(ctx, rule.Rule, maxReported+1)
		if err != nil {
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
func conflicts(ctx context.Context, tx *store.Import, kind *Kind, file string, positions map[string]int) (*Error, error) {
	present := make([]string, 0, len(positions))
	for name, at := range positions {
		if at >= 0 {
			present = append(present, name)
		}
	}
	rows, err := tx.Conflicts(ctx, maxReported+1, present)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	failed := &Error{File: file}
	first := kind.table().Key[0]
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
