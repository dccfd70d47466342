-- Every price tier, grouped by sku, currency and start date, tiers in order.
SELECT sku, currency, effective_from, from_quantity::text AS from_quantity, unit_price::text AS unit_price
FROM prices
ORDER BY sku, currency, effective_from NULLS FIRST, from_quantity
