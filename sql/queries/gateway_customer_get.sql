-- The provider's customer of an account.
SELECT customer_id FROM gateway_customers WHERE account_id = @account_id AND gateway = @gateway
