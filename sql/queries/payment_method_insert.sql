-- A card on file, pending until the gateway validates it (§9); the
-- account's first card is its default.
INSERT INTO payment_methods (account_id, gateway_token, brand, last4, expiry_month, expiry_year, holder_name, is_default)
SELECT @account_id, @gateway_token, @brand, @last4, @expiry_month, @expiry_year, @holder_name,
       NOT EXISTS (SELECT 1 FROM payment_methods WHERE account_id = @account_id AND is_default AND removed_at IS NULL)
RETURNING payment_method_id
