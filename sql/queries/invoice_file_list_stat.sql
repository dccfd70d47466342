-- The recorded files of some invoices, with their size and time when written.
SELECT invoice_number, kind, path, sha256, size, modified_ns FROM invoice_files WHERE invoice_number = ANY($1)
