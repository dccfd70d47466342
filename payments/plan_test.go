package payments_test

import (
	"fmt"
	"testing"

	"github.com/openbilling/billing/payments"
)

// A plan's groups hold at most n accounts each, with each account's
// invoices in their rounds, in the plan's order.
func TestACollectPlanGroupsItsAccountsWithTheirRounds(t *testing.T) {
	t.Parallel()
	plan := payments.CollectPlan{
		Rounds:   [][]string{{"A1", "B1", "C1"}, {"A2", "C2"}, {"A3"}},
		Accounts: [][]string{{"A", "B", "C"}, {"A", "C"}, {"A"}},
	}
	for n, want := range map[int]string{
		2: "[[[A1 B1] [A2] [A3]] [[C1] [C2]]]",
		3: "[[[A1 B1 C1] [A2 C2] [A3]]]",
		1: "[[[A1] [A2] [A3]] [[B1]] [[C1] [C2]]]",
	} {
		if got := fmt.Sprint(plan.Groups(n)); got != want {
			t.Errorf("Groups(%d) = %s, want %s", n, got, want)
		}
	}
	if got := (payments.CollectPlan{}).Groups(2); got != nil {
		t.Errorf("an empty plan's groups: %v", got)
	}
}
