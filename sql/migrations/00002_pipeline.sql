-- +goose Up
-- What the pipeline stages need to bill exactly once (SPEC §6, §7).

-- A window is closed once: the marker is written in the same transaction as
-- the window's invoices and lines, so a crash leaves it wholly closed or
-- untouched, and a second closer finds it taken.
CREATE TABLE closed_windows (
    account_id    text COLLATE "C" NOT NULL REFERENCES accounts,
    billing       text NOT NULL CHECK (billing IN ('anniversary', 'calendar')),
    window_start  date NOT NULL,
    window_end    date NOT NULL,
    closes_on     date NOT NULL,
    run_id        bigint REFERENCES pipeline_runs,
    closed_at     timestamptz NOT NULL DEFAULT now(),
    rerun_at      timestamptz,  -- the last rerun: records received before it are billed
    PRIMARY KEY (account_id, billing, window_start),
    CHECK (window_end >= window_start AND closes_on > window_end)
);

-- Invoice numbers: one counter per series, taken under a row lock in the
-- transaction that finalizes the invoice, so a rolled-back invoice gives its
-- number back and numbers stay gap-free (SPEC §6).
CREATE TABLE invoice_series (
    series    text PRIMARY KEY,
    last_seq  bigint NOT NULL CHECK (last_seq >= 0)
);

ALTER TABLE invoice_lines ADD COLUMN reversal boolean NOT NULL DEFAULT false;
ALTER TABLE invoices ADD COLUMN run_id bigint REFERENCES pipeline_runs;
CREATE INDEX invoices_issue_date ON invoices (issue_date, number);
CREATE INDEX invoices_adjusts ON invoices (adjusts) WHERE adjusts IS NOT NULL;

-- A finalized invoice never changes (SPEC §6): not by the pipeline, not by a
-- careless UPDATE or DELETE. Corrections are new invoices.
-- +goose StatementBegin
CREATE FUNCTION refuse_change_to_finalized_invoice() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'finalized invoices cannot be changed or deleted (%); issue a correction with billing rerun', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER invoices_are_final BEFORE UPDATE OR DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_finalized_invoice();
CREATE TRIGGER invoices_are_never_truncated BEFORE TRUNCATE ON invoices
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_to_finalized_invoice();
CREATE TRIGGER invoice_lines_are_final BEFORE UPDATE OR DELETE ON invoice_lines
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_finalized_invoice();
CREATE TRIGGER invoice_lines_are_never_truncated BEFORE TRUNCATE ON invoice_lines
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_to_finalized_invoice();

-- The files generated from an invoice, with their SHA-256, so a missing or
-- altered file is noticed and rewritten byte for byte (SPEC §6, §8).
CREATE TABLE invoice_files (
    invoice_number  text COLLATE "C" NOT NULL REFERENCES invoices,
    kind            text NOT NULL CHECK (kind IN ('reconciliation', 'invoice')),
    path            text NOT NULL,
    sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    written_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (invoice_number, kind)
);

-- Charges so far in each account's open windows, refreshed by the rate
-- stage (SPEC §9's estimated next balance). Never billed from: closing
-- recomputes from the orders and usage themselves.
CREATE TABLE unbilled_charges (
    account_id    text COLLATE "C" NOT NULL REFERENCES accounts,
    billing       text NOT NULL CHECK (billing IN ('anniversary', 'calendar')),
    window_start  date NOT NULL,
    window_end    date NOT NULL,
    currency      char(3) NOT NULL,
    lines         integer NOT NULL,
    subtotal      numeric NOT NULL,
    as_of         timestamptz NOT NULL,
    PRIMARY KEY (account_id, billing, window_start, currency)
);

-- +goose Down
DROP TABLE unbilled_charges;
DROP TABLE invoice_files;
DROP TRIGGER invoice_lines_are_never_truncated ON invoice_lines;
DROP TRIGGER invoice_lines_are_final ON invoice_lines;
DROP TRIGGER invoices_are_never_truncated ON invoices;
DROP TRIGGER invoices_are_final ON invoices;
DROP FUNCTION refuse_change_to_finalized_invoice();
DROP INDEX invoices_adjusts;
DROP INDEX invoices_issue_date;
ALTER TABLE invoices DROP COLUMN run_id;
ALTER TABLE invoice_lines DROP COLUMN reversal;
DROP TABLE invoice_series;
DROP TABLE closed_windows;
