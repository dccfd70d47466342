-- Streams an invoice's lines into place (SPEC §10: lines are written with COPY).
COPY invoice_lines (invoice_number, line_no, customer_id, subscription_id, order_id, sku, charge_type,
                    charge_start, charge_end, activity_date, unit_price, effective_unit_price, quantity,
                    amount, tax, total, days_charged, term_days, detail, reversal) FROM STDIN
