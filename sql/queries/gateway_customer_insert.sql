-- The provider's customer of an account, kept the first time it is made.
INSERT INTO gateway_customers (account_id, gateway, customer_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING
