package main

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"strconv"

	"github.com/openbilling/billing/internal/synthetic"
)

func runGenerate(_ context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if len(args) != 0 {
		return usageError{fmt.Errorf("usage: billing generate --scale S --seed N --months M --out DIR")}
	}
	scale, err := strconv.ParseFloat(fs.Lookup("scale").Value.String(), 64)
	if err != nil || scale <= 0 || scale > 100 {
		return usageError{fmt.Errorf("--scale %q is not a number above 0 and at most 100", fs.Lookup("scale").Value.String())}
	}
	seed, err := strconv.ParseUint(fs.Lookup("seed").Value.String(), 10, 64)
	if err != nil {
		return usageError{fmt.Errorf("--seed %q is not a whole number", fs.Lookup("seed").Value.String())}
	}
	months, err := strconv.Atoi(fs.Lookup("months").Value.String())
	if err != nil || months < 1 || months > 120 {
		return usageError{fmt.Errorf("--months %q is not a whole number from 1 to 120", fs.Lookup("months").Value.String())}
	}
	out := fs.Lookup("out").Value.String()
	if out == "" {
		return usageError{fmt.Errorf("--out DIR is required")}
	}
	counts, err := synthetic.GenerateMonths(out, scale, seed, months, func(file string, rows int64) {
		a.log.Info("generate_progress", "file", file, "rows", rows)
	})
	if err != nil {
		return err
	}
	files := make([]string, 0, len(counts))
	for f := range counts {
		files = append(files, f)
	}
	sort.Strings(files)
	fmt.Fprintf(a.stdout, "wrote a synthetic month (scale %g, seed %d) into %s:\n", scale, seed, out)
	for _, f := range files {
		fmt.Fprintf(a.stdout, "  %-16s %d rows\n", f, counts[f])
	}
	if months == 1 {
		fmt.Fprintf(a.stdout, "import them in this order: accounts customers products prices tax-rates orders usage; then billing run --as-of %s\n", synthetic.AsOf)
		return nil
	}
	fmt.Fprintf(a.stdout, "import accounts customers products prices tax-rates orders usage, then billing run --as-of %s;\n", synthetic.AsOfMonth(1))
	for m := 2; m <= months; m++ {
		fmt.Fprintf(a.stdout, "then %s and %s, then billing run --as-of %s\n", synthetic.File("orders", m), synthetic.File("usage", m), synthetic.AsOfMonth(m))
	}
	return nil
}
