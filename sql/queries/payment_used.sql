-- What of a payment is allocated or disputed (net).
SELECT ledger_payment_used($1)::text
