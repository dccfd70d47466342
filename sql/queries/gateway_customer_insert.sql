-- The provider's customer of an account, kept the first time it is made.
INSERT INTO gateway_customers (account_id, gateway, customer_id) VALUES (@account_id, @gateway, @customer_id) ON CONFLICT DO NOTHING
