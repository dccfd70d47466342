-- Staged lines of new licence orders of 0 seats: they would bill 0.00 every month (§10).
SELECT s.line FROM import_stage s JOIN products p ON p.sku = s.sku
WHERE s.action = 'new' AND s.quantity = 0 AND p.kind = 'license'
