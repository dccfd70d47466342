-- A card's details the networks updated (§9.1): the card stays on file.
UPDATE payment_methods SET brand = $2, last4 = $3, expiry_month = $4, expiry_year = $5, updated_at = now()
WHERE gateway_token = $1 AND removed_at IS NULL
RETURNING account_id
