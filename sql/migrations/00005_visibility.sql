-- +goose Up
-- Lateness by what a close could see, never by a clock (SPEC §7, §12.3).
--
-- Each order and usage event records the transaction that wrote it
-- (ingest_xid, 64-bit, so it never wraps). A close reads its orders and its
-- usage each under one snapshot and keeps that snapshot beside the window
-- (orders_seen, usage_seen; a rerun replaces them with its own). A record of
-- a closed window is late exactly when its transaction is not visible in the
-- window's snapshot: an import that commits while a close runs is either seen
-- by the close whole or late for it whole, whatever its received_at says.
--
-- The columns are added without a default first so that existing rows are
-- not rewritten: their ingest_xid stays null, and windows closed before this
-- migration (no snapshot) keep the received_at rule.
ALTER TABLE orders ADD COLUMN ingest_xid xid8;
ALTER TABLE orders ALTER COLUMN ingest_xid SET DEFAULT pg_current_xact_id();
ALTER TABLE usage_events ADD COLUMN ingest_xid xid8;
ALTER TABLE usage_events ALTER COLUMN ingest_xid SET DEFAULT pg_current_xact_id();
ALTER TABLE closed_windows ADD COLUMN orders_seen pg_snapshot;
ALTER TABLE closed_windows ADD COLUMN usage_seen pg_snapshot;

-- An operator's change of an account's billing day (SPEC §7): from
-- effective_from on, the account's anniversary windows follow billing_day,
-- starting with one transition window up to the day before the new billing
-- day. effective_from is the day after the last window closed when the change
-- was made; previous_day is the billing day the windows before it follow.
CREATE TABLE billing_day_changes (
    account_id      text COLLATE "C" NOT NULL REFERENCES accounts,
    effective_from  date NOT NULL,
    previous_day    smallint NOT NULL CHECK (previous_day BETWEEN 1 AND 31),
    billing_day     smallint NOT NULL CHECK (billing_day BETWEEN 1 AND 31),
    changed_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, effective_from)
);

-- +goose Down
DROP TABLE billing_day_changes;
ALTER TABLE closed_windows DROP COLUMN usage_seen;
ALTER TABLE closed_windows DROP COLUMN orders_seen;
ALTER TABLE usage_events DROP COLUMN ingest_xid;
ALTER TABLE orders DROP COLUMN ingest_xid;
