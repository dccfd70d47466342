// Command billing is the scheduled batch billing pipeline: it imports orders
// and usage, rates and prorates them, closes billing cycles and emits
// invoices with their reconciliation spreadsheets. See README.md and docs/RULES.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/openbilling/billing/locale"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runMain(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// runMain runs one command and turns its outcome into an exit status,
// printing a failure as one line on stderr.
func runMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	err := locale.Check()
	if err == nil {
		err = dispatch(ctx, args, stdout, stderr)
	}
	var usage usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &usage):
		fmt.Fprintf(stderr, "billing: %v\n", err)
		return 2
	case errors.Is(err, errReported):
		return 1 // details already printed
	default:
		fmt.Fprintf(stderr, "billing: %v\n", err)
		return 1
	}
}
