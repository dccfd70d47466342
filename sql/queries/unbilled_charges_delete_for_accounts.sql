-- Removes the figures of some accounts' open windows, before they are rated again.
DELETE FROM unbilled_charges WHERE account_id = ANY($1)
