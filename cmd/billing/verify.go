package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/openbilling/billing/pipeline"
)

// runVerify is "billing verify [--files full]": every breach on one line,
// exit 1 on any (§12).
func runVerify(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	mode := fs.Lookup("files").Value.String()
	if len(args) != 0 || (mode != "quick" && mode != "full") {
		return usageError{fmt.Errorf("usage: billing verify [--files quick|full] [--json]")}
	}
	db, err := a.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := pipeline.Verify(ctx, db, mode == "full")
	if err != nil {
		return err
	}
	if fs.Lookup("json").Value.String() == "true" {
		if v.Breaches == nil {
			v.Breaches = []pipeline.Breach{}
		}
		if err := writeJSON(a.stdout, v); err != nil {
			return err
		}
	} else {
		for _, b := range v.Breaches {
			fmt.Fprintln(a.stdout, b)
		}
		fmt.Fprintf(a.stdout, "%d checks, %d files (%s), %d breaches, %.1f s\n", v.Checks, v.Files, mode, len(v.Breaches), v.Duration.Seconds())
	}
	if len(v.Breaches) > 0 {
		return fmt.Errorf("verify: %d breaches of the guarantees (§12)", len(v.Breaches))
	}
	return nil
}
