-- +goose Up
-- The size and modification time (nanoseconds since 1970) of each written
-- file, as the file system reported them: emit takes a file that still has
-- both as unchanged without reading it, and reads and checks the SHA-256 of
-- any other. Files recorded before this migration have neither until then.
ALTER TABLE invoice_files ADD COLUMN size bigint CHECK (size >= 0);
ALTER TABLE invoice_files ADD COLUMN modified_ns bigint;

-- +goose Down
ALTER TABLE invoice_files DROP COLUMN modified_ns;
ALTER TABLE invoice_files DROP COLUMN size;
