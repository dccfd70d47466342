package units

import "testing"

// Results hands each result over once, holds at most Most at once (the
// others go by the unit's record), and forgets a run's when it ends.
func TestResultsAreHandedOverOnceAndBounded(t *testing.T) {
	t.Parallel()
	r := &Results{Most: 2}
	u := func(run int64, seq int) Unit { return Unit{RunID: run, Stage: "close", Seq: seq} }
	if !r.Put(u(1, 0), "a") || !r.Put(u(1, 1), "b") {
		t.Fatal("the first two results were refused")
	}
	if r.Put(u(1, 2), "c") {
		t.Fatal("a third result was kept beyond Most")
	}
	if !r.Put(u(1, 1), "b again") {
		t.Fatal("a unit done again could not replace its result")
	}
	if v, ok := r.Take(u(1, 1)); !ok || v != "b again" {
		t.Fatalf("Take = %v, %v", v, ok)
	}
	if _, ok := r.Take(u(1, 1)); ok {
		t.Fatal("a result was handed over twice")
	}
	if !r.Put(u(2, 0), "other run") {
		t.Fatal("a result was refused with room for it")
	}
	r.Forget(1)
	if _, ok := r.Take(u(1, 0)); ok {
		t.Fatal("an ended run's result was kept")
	}
	if v, ok := r.Take(u(2, 0)); !ok || v != "other run" {
		t.Fatalf("another run's result: %v, %v", v, ok)
	}
}
