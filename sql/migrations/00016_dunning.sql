-- +goose Up
-- Due dates, overdue invoices and late fees (§13).

-- An account's payment terms, in days from an invoice's issue date to its
-- due date; NULL takes the setting payment_terms_days.
ALTER TABLE accounts ADD COLUMN payment_terms_days smallint CHECK (payment_terms_days BETWEEN 0 AND 120);

-- The due date an invoice with a total above zero is given as it is
-- finalized; it never changes. Invoices finalized before due dates existed
-- have none, like those whose total is zero or below.
ALTER TABLE invoices ADD COLUMN due_date date;
ALTER TABLE invoices ADD CONSTRAINT invoices_due_date CHECK (due_date IS NULL OR (total > 0 AND due_date >= issue_date)) NOT VALID;
ALTER TABLE invoices VALIDATE CONSTRAINT invoices_due_date;

-- A late fee's line.
ALTER TABLE invoice_lines DROP CONSTRAINT invoice_lines_charge_type_check;
ALTER TABLE invoice_lines ADD CONSTRAINT invoice_lines_charge_type_check
    CHECK (charge_type IN ('new', 'renew', 'addQuantity', 'removeQuantity', 'cancel', 'usage', 'credit', 'refund', 'lateFee')) NOT VALID;
ALTER TABLE invoice_lines VALIDATE CONSTRAINT invoice_lines_charge_type_check;

-- The late-fee policies, per currency and date from which each applies
-- (billing import late-fees); the one in effect on an invoice's due date
-- is its.
CREATE TABLE late_fee_policies (
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    after_days      smallint NOT NULL CHECK (after_days BETWEEN 0 AND 365),
    fixed           numeric NOT NULL DEFAULT 0 CHECK (fixed >= 0),
    rate            numeric NOT NULL DEFAULT 0 CHECK (rate >= 0 AND rate <= 1),
    minimum         numeric CHECK (minimum >= 0),
    maximum         numeric CHECK (maximum >= 0),
    effective_from  date,
    CHECK (maximum >= minimum),
    CONSTRAINT late_fee_policies_key UNIQUE NULLS NOT DISTINCT (currency, effective_from)
);

-- Each invoice's assessment (§12.7): at most one, ever, whatever the runs;
-- the fee's own invoice, or none for a fee of zero; what was due when it
-- was assessed, from which billing verify computes the fee again.
CREATE TABLE late_fees (
    invoice_number  text COLLATE "C" PRIMARY KEY REFERENCES invoices,
    fee_invoice     text COLLATE "C" UNIQUE REFERENCES invoices,
    amount_due      numeric NOT NULL CHECK (amount_due > 0),
    fee             numeric NOT NULL CHECK (fee >= 0),
    assessed_on     date NOT NULL,
    run_id          bigint NOT NULL,
    CHECK ((fee = 0) = (fee_invoice IS NULL)),
    CHECK (fee_invoice <> invoice_number)
);

-- An import of the late-fee policies.
ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
ALTER TABLE imports ADD CONSTRAINT imports_kind_check
    CHECK (kind IN ('accounts', 'customers', 'products', 'prices', 'orders', 'usage', 'tax-rates', 'late-fees'));

-- A run of the dunning stage, alone or with others.
ALTER TABLE pipeline_runs DROP CONSTRAINT pipeline_runs_stage_check;
ALTER TABLE pipeline_runs ADD CONSTRAINT pipeline_runs_stage_check
    CHECK (stage ~ '^(all|rerun|credit|refund|(extract|rate|close|emit|collect|dunning)(,(extract|rate|close|emit|collect|dunning))*)$');

-- The late fees' lines, for billing verify's check that none stands
-- outside a late fee's invoice (§12.7).
CREATE INDEX invoice_lines_late_fee ON invoice_lines (invoice_number) WHERE charge_type = 'lateFee';

-- The dunning stage's candidates: invoices with a due date, until assessed.
CREATE INDEX invoices_due ON invoices (due_date) WHERE due_date IS NOT NULL;

-- The invoices with something still due, with what: read from the ledger's
-- open items, so that its cost follows what is open, not the history. The
-- dunning stage and the reminders read it.
CREATE VIEW invoices_owing AS
SELECT i.number, i.account_id, i.type, i.billing, i.currency, i.window_start, i.window_end, i.issue_date, i.due_date,
       e.amount - (SELECT coalesce(sum(a.amount), 0) FROM ledger_entries a
                   WHERE a.kind = 'allocation' AND a.invoice_number = i.number) AS amount_due
FROM ledger_open_items o
JOIN ledger_entries e ON e.entry_id = o.entry_id
JOIN invoices i ON i.number = o.key
WHERE o.kind = 'invoice';

-- +goose StatementBegin
CREATE FUNCTION late_fees_are_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'late fee assessments are final' USING ERRCODE = 'integrity_constraint_violation';
END $$;
-- +goose StatementEnd
CREATE TRIGGER late_fees_final BEFORE UPDATE OR DELETE ON late_fees
    FOR EACH ROW EXECUTE FUNCTION late_fees_are_final();

-- +goose Down
ALTER TABLE pipeline_runs DROP CONSTRAINT pipeline_runs_stage_check;
ALTER TABLE pipeline_runs ADD CONSTRAINT pipeline_runs_stage_check
    CHECK (stage ~ '^(all|rerun|credit|refund|(extract|rate|close|emit|collect)(,(extract|rate|close|emit|collect))*)$');
ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
ALTER TABLE imports ADD CONSTRAINT imports_kind_check
    CHECK (kind IN ('accounts', 'customers', 'products', 'prices', 'orders', 'usage', 'tax-rates'));
DROP TRIGGER late_fees_final ON late_fees;
DROP FUNCTION late_fees_are_final();
DROP VIEW invoices_owing;
DROP INDEX invoices_due;
DROP INDEX invoice_lines_late_fee;
DROP TABLE late_fees;
DROP TABLE late_fee_policies;
ALTER TABLE invoice_lines DROP CONSTRAINT invoice_lines_charge_type_check;
ALTER TABLE invoice_lines ADD CONSTRAINT invoice_lines_charge_type_check
    CHECK (charge_type IN ('new', 'renew', 'addQuantity', 'removeQuantity', 'cancel', 'usage', 'credit', 'refund'));
ALTER TABLE invoices DROP CONSTRAINT invoices_due_date;
ALTER TABLE invoices DROP COLUMN due_date;
ALTER TABLE accounts DROP COLUMN payment_terms_days;
