-- Stores finalized invoices' lines, one per position of the arrays: a whole
-- batch of windows' lines in one statement.
INSERT INTO invoice_lines (invoice_number, line_no, customer_id, subscription_id, order_id, sku, charge_type,
                           charge_start, charge_end, activity_date, unit_price, effective_unit_price, quantity,
                           amount, tax, total, days_charged, term_days, detail, reversal)
SELECT invoice_number, line_no, customer_id, NULLIF(subscription_id, ''), NULLIF(order_id, ''), sku, charge_type,
       charge_start, charge_end, activity_date, unit_price, effective_unit_price, quantity,
       amount, tax, total, NULLIF(days_charged, 0), NULLIF(term_days, 0), NULLIF(detail, ''), reversal
FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
            $8::date[], $9::date[], $10::date[], $11::numeric[], $12::numeric[], $13::numeric[],
            $14::numeric[], $15::numeric[], $16::numeric[], $17::int[], $18::int[], $19::text[], $20::bool[])
     AS l(invoice_number, line_no, customer_id, subscription_id, order_id, sku, charge_type,
          charge_start, charge_end, activity_date, unit_price, effective_unit_price, quantity,
          amount, tax, total, days_charged, term_days, detail, reversal)
