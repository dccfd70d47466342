-- §12.3: every order names a stored customer and product (an import checks
-- them in bulk before adding any order), and each account's recorded first
-- activity per billing, where its windows start, is its orders' first date.
SELECT 'order ' || o.order_id || ' names ' ||
       CASE WHEN NOT EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = o.customer_id)
            THEN 'the unknown customer ' || o.customer_id ELSE 'the unknown sku ' || o.sku END
FROM orders o
WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = o.customer_id)
   OR NOT EXISTS (SELECT 1 FROM products p WHERE p.sku = o.sku)
UNION ALL
SELECT 'account ' || coalesce(f.account_id, o.account_id) || ': first ' || coalesce(f.billing, o.billing) || ' activity recorded as '
       || coalesce(f.first_date::text, 'none') || ', its orders give ' || coalesce(o.first_date::text, 'none')
FROM first_activity f
FULL JOIN first_activity_by_orders o ON (o.account_id, o.billing) = (f.account_id, f.billing)
WHERE f.first_date IS DISTINCT FROM o.first_date
ORDER BY 1
