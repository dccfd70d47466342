-- The provider's customer of an account.
SELECT customer_id FROM gateway_customers WHERE account_id = $1 AND gateway = $2
