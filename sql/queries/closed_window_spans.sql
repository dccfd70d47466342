-- Each account's closed windows per billing: the first and last start, and
-- how many (fewer than the windows between them when one failed to close).
SELECT account_id, billing, min(window_start) AS first_start, max(window_start) AS last_start, count(*) AS windows
FROM closed_windows
GROUP BY account_id, billing
