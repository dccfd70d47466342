SELECT invoice_number, kind, path, sha256 FROM invoice_files
