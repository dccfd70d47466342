package payments_test

import (
	"fmt"
	"testing"

	"github.com/openbilling/billing/payments"
	"github.com/openbilling/billing/store"
)

// Invoices due are grouped by at most n accounts, each account's invoices
// in its group's rounds, in the order they are due.
func TestInvoicesDueAreGroupedByAccountWithTheirRounds(t *testing.T) {
	t.Parallel()
	var due []store.CollectCandidate
	for _, n := range []string{"A1", "A2", "A3", "B1", "C1", "C2"} {
		due = append(due, store.CollectCandidate{AccountID: n[:1], Number: n})
	}
	for n, want := range map[int]string{
		2: "[[[A1 B1] [A2] [A3]] [[C1] [C2]]]",
		3: "[[[A1 B1 C1] [A2 C2] [A3]]]",
		1: "[[[A1] [A2] [A3]] [[B1]] [[C1] [C2]]]",
	} {
		if got := fmt.Sprint(payments.Groups(due, n)); got != want {
			t.Errorf("groups of %d = %s, want %s", n, got, want)
		}
	}
	if got := payments.Groups(nil, 2); len(got) != 0 {
		t.Errorf("no invoice due: %v", got)
	}
}
