-- §12.2: how many of the triggers that keep finalized invoices final are enabled.
SELECT count(*) FROM pg_trigger WHERE tgname IN
('invoices_are_final', 'invoices_are_never_truncated', 'invoice_lines_are_final', 'invoice_lines_are_never_truncated') AND tgenabled <> 'D'
