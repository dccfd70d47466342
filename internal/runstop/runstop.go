// Package runstop carries a run's request to stop through its context: a
// daemon shutting down asks its runs to finish the window, account or file
// at hand and leave the rest to the next run, while the context itself
// stays valid for the transaction in progress.
package runstop

import (
	"context"
	"errors"
)

// ErrStopped is returned by a run asked to stop: it finished the window or
// file at hand and left the rest to the next run.
var ErrStopped = errors.New("stopped before finishing; the next run carries on")

type key struct{}

// With returns a context whose runs stop taking new work once stop is closed.
func With(ctx context.Context, stop <-chan struct{}) context.Context {
	return context.WithValue(ctx, key{}, stop)
}

// Requested reports whether the run of ctx has been asked to stop.
func Requested(ctx context.Context) bool {
	stop, _ := ctx.Value(key{}).(<-chan struct{})
	if stop == nil {
		return false
	}
	select {
	case <-stop:
		return true
	default:
		return false
	}
}
