-- §12.1, §12.3: an original invoice belongs to a closed window, and an
-- account's closed windows of one billing never overlap (no day billed twice).
SELECT 'invoice ' || i.number || ' of account ' || i.account_id || ' is for ' || i.billing || ' window ' || i.window_start || ', which is not closed'
FROM invoices i
WHERE i.adjusts IS NULL AND i.type NOT IN ('credit', 'refund') AND NOT EXISTS (
    SELECT 1 FROM closed_windows w WHERE (w.account_id, w.billing, w.window_start) = (i.account_id, i.billing, i.window_start))
  AND NOT EXISTS (SELECT 1 FROM closed_windows w WHERE (w.account_id, w.billing) = (i.account_id, i.billing)
      AND i.window_start BETWEEN w.window_start AND w.window_end)
UNION ALL
SELECT 'account ' || a.account_id || ': ' || a.billing || ' windows ' || a.window_start || '..' || a.window_end
       || ' and ' || b.window_start || '..' || b.window_end || ' overlap'
FROM closed_windows a
JOIN closed_windows b ON (b.account_id, b.billing) = (a.account_id, a.billing)
 AND b.window_start > a.window_start AND b.window_start <= a.window_end
ORDER BY 1
