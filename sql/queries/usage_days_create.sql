-- Sums a span of usage per subscription and UTC day, once per stage, into a
-- table of the run (usage_days stands for its name): each window then reads
-- its subscriptions' days from it instead of scanning the events again
-- (§3, §4). Unlogged: it lives as long as the stage.
CREATE UNLOGGED TABLE usage_days AS
SELECT subscription_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, sum(quantity) AS quantity, count(*) AS events
FROM usage_events
WHERE occurred_at >= @from AND occurred_at < @to
GROUP BY 1, 2
