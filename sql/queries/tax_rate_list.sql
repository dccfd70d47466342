SELECT country, effective_from, rate::text AS rate
FROM tax_rates
