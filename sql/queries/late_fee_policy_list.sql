-- The late-fee policies (§13), by currency and date from which each applies.
SELECT currency, after_days, fixed::text AS fixed, rate::text AS rate, minimum::text AS minimum, maximum::text AS maximum,
       effective_from
FROM late_fee_policies
ORDER BY currency, effective_from NULLS FIRST
