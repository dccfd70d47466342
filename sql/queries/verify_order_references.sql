-- §12.3: every order names a stored customer and product (an import checks
-- them in bulk before adding any order).
SELECT 'order ' || o.order_id || ' names ' ||
       CASE WHEN NOT EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = o.customer_id)
            THEN 'the unknown customer ' || o.customer_id ELSE 'the unknown sku ' || o.sku END
FROM orders o
WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = o.customer_id)
   OR NOT EXISTS (SELECT 1 FROM products p WHERE p.sku = o.sku)
ORDER BY 1
