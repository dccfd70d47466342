-- A card's details the networks updated (§9.1): the card stays on file.
UPDATE payment_methods SET brand = @brand, last4 = @last4, expiry_month = @expiry_month, expiry_year = @expiry_year, updated_at = now()
WHERE gateway_token = @gateway_token AND removed_at IS NULL
RETURNING account_id
