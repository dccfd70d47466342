package payments

import "github.com/openbilling/billing/store"

// Groups is groups by invoice number, for the tests of package payments_test.
func Groups(due []store.CollectCandidate, n int) [][][]string { return numbersOf(groups(due, n)) }
