package main

import (
	"github.com/openbilling/billing/pipeline"
	"github.com/openbilling/billing/reports"
)

// emitter is what the emit stage writes invoice files with.
func (a *app) emitter() pipeline.Emitter {
	return &reports.Emitter{OutputDir: a.cfg.OutputDir, Log: a.log}
}
