package main

import "github.com/openbilling/billing/pipeline"

// emitter is what the emit stage writes invoice files with.
func (a *app) emitter() pipeline.Emitter {
	return &pipeline.FileEmitter{OutputDir: a.cfg.OutputDir, Log: a.log}
}
