-- §12.1: numbers unique and gap-free within their series, and the series'
-- counter at the last number taken.
SELECT 'series ' || s.series || ': ' || coalesce(i.n, 0) || ' invoices numbered up to ' || coalesce(i.top, 0)
       || ' (counter at ' || s.last_seq || ')' || coalesce(', badly formed: ' || i.bad, '')
FROM invoice_series s
LEFT JOIN (SELECT series, count(*) AS n, max(seq) AS top,
                  string_agg(number, ', ') FILTER (WHERE number <> series || '-' || lpad(seq::text, 6, '0')) AS bad
           FROM invoices GROUP BY series) i ON i.series = s.series
WHERE coalesce(i.n, 0) <> s.last_seq OR coalesce(i.top, 0) <> s.last_seq OR i.bad IS NOT NULL
UNION ALL
SELECT 'invoice ' || number || ' belongs to series ' || series || ', which has no counter'
FROM invoices i WHERE NOT EXISTS (SELECT 1 FROM invoice_series s WHERE s.series = i.series)
ORDER BY 1
