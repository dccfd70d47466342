SELECT invoice_number, kind, path, sha256, size, modified_ns FROM invoice_files
