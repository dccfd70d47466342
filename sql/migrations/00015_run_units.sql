-- +goose Up
-- The units of work of the runs in progress (SPEC §10: billing worker;
-- docs/SCALING.md): a run splits each stage into units (batches of accounts
-- to rate, batches of windows of one closing date to rate and assemble,
-- invoices whose files to write, invoices to charge), queues them as jobs
-- worked by any number of processes, and reads here what each unit did. A
-- unit is done once: a second worker that finds it recorded does nothing.
--
-- The table is unlogged: it holds nothing that is not recomputed. A server
-- crash empties it, and ends the runs whose units it held with their
-- sessions; the next run starts over from the stored orders and usage.
CREATE UNLOGGED TABLE run_units (
    run_id  bigint      NOT NULL,
    stage   text        NOT NULL,
    seq     integer     NOT NULL,
    -- close: the unit's assembled invoices, for the run that writes them
    -- in closing-date order and numbers them.
    result  bytea,
    counts  jsonb       NOT NULL DEFAULT '{}',
    -- set when the unit failed: the run does the unit itself, and fails
    -- with the error should it fail again.
    error   text,
    worker  text        NOT NULL,
    seconds double precision NOT NULL DEFAULT 0, -- how long the unit's work took
    done_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, stage, seq)
);
-- The rated windows are read back once: no compression.
ALTER TABLE run_units ALTER COLUMN result SET STORAGE EXTERNAL;

-- +goose Down
DROP TABLE run_units;
