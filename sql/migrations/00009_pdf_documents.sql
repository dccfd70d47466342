-- +goose Up
-- The PDF invoice document (SPEC §8, §11): a third file per invoice,
-- recorded and healed like the spreadsheets.
ALTER TABLE invoice_files DROP CONSTRAINT invoice_files_kind_check;
ALTER TABLE invoice_files ADD CONSTRAINT invoice_files_kind_check CHECK (kind IN ('reconciliation', 'invoice', 'pdf'));

-- +goose Down
DELETE FROM invoice_files WHERE kind = 'pdf';
ALTER TABLE invoice_files DROP CONSTRAINT invoice_files_kind_check;
ALTER TABLE invoice_files ADD CONSTRAINT invoice_files_kind_check CHECK (kind IN ('reconciliation', 'invoice'));
