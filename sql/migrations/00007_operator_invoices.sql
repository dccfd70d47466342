-- +goose Up
-- Operator credits and refunds (SPEC §9): finalized invoices an operator
-- issues with a reason. A credit stands alone (no window of its own: its
-- window is the day before it is issued), so the one-original-per-window
-- rule is for the pipeline's invoices only; a refund adjusts the invoice it
-- reverses. A rerun recomputes a window against the pipeline's invoices,
-- never against an operator's.
ALTER TABLE invoices ADD COLUMN reason text CHECK (reason IS NULL OR (reason <> '' AND length(reason) <= 500));
DROP INDEX invoices_one_per_window;
CREATE UNIQUE INDEX invoices_one_per_window ON invoices (account_id, billing, window_start, currency)
    WHERE adjusts IS NULL AND reason IS NULL;

-- The run history names the collect stage (SPEC §9) and an operator's
-- credits and refunds.
ALTER TABLE pipeline_runs DROP CONSTRAINT pipeline_runs_stage_check;
ALTER TABLE pipeline_runs ADD CONSTRAINT pipeline_runs_stage_check
    CHECK (stage ~ '^(all|rerun|credit|refund|(extract|rate|close|emit|collect)(,(extract|rate|close|emit|collect))*)$');

-- +goose Down
ALTER TABLE pipeline_runs DROP CONSTRAINT pipeline_runs_stage_check;
ALTER TABLE pipeline_runs ADD CONSTRAINT pipeline_runs_stage_check
    CHECK (stage ~ '^(all|rerun|(extract|rate|close|emit)(,(extract|rate|close|emit))*)$');
DROP INDEX invoices_one_per_window;
CREATE UNIQUE INDEX invoices_one_per_window ON invoices (account_id, billing, window_start, currency)
    WHERE adjusts IS NULL;
ALTER TABLE invoices DROP COLUMN reason;
