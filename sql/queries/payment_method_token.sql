-- The gateway token of a card on file, removed or not.
SELECT gateway_token FROM payment_methods WHERE payment_method_id = $1
