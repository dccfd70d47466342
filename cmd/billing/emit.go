package main

import (
	"runtime"

	"github.com/openbilling/billing/emit"
	"github.com/openbilling/billing/pipeline"
)

// emitter is what the emit stage writes invoice files with.
func (a *app) emitter() pipeline.Emitter { return a.fileEmitter() }

// fileEmitter writes and heals invoice files in the configured folder.
func (a *app) fileEmitter() *emit.FileEmitter {
	return &emit.FileEmitter{OutputDir: a.cfg.OutputDir, Log: a.log, Issuer: a.cfg.Issuer, PDFOnDemand: a.cfg.PDFInvoices == "on-demand",
		// The cores are shared by the units this process works at once.
		Writers: max(1, 2*runtime.GOMAXPROCS(0)/a.cfg.UnitWorkers)}
}
