-- +goose Up
-- Each account's first activity date per billing (SPEC §3: its windows
-- start there), kept as orders are added instead of aggregated over every
-- order at each run (by the search for due windows and the held-usage
-- count). A trigger on orders updates it in the statement that adds them,
-- whatever adds them; orders are never changed or deleted, so a first date
-- only ever moves earlier. billing verify compares it with the orders
-- (§12.3).
CREATE TABLE first_activity (
    account_id  text COLLATE "C" NOT NULL,
    billing     text NOT NULL,
    first_date  date NOT NULL,
    PRIMARY KEY (account_id, billing)
);

-- +goose StatementBegin
CREATE FUNCTION follow_first_activity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO first_activity AS f (account_id, billing, first_date)
    SELECT c.account_id, p.billing, min(a.effective_date)
    FROM added a
    JOIN customers c ON c.customer_id = a.customer_id
    JOIN products p ON p.sku = a.sku
    GROUP BY c.account_id, p.billing
    ON CONFLICT (account_id, billing) DO UPDATE SET first_date = EXCLUDED.first_date
        WHERE EXCLUDED.first_date < f.first_date;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER orders_first_activity AFTER INSERT ON orders
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION follow_first_activity();

-- Each account's first activity date per billing as the orders give it: what
-- fills the table today, and what billing verify compares it with.
CREATE VIEW first_activity_by_orders AS
SELECT c.account_id, p.billing, min(o.effective_date) AS first_date
FROM orders o
JOIN customers c ON c.customer_id = o.customer_id
JOIN products p ON p.sku = o.sku
GROUP BY c.account_id, p.billing;

INSERT INTO first_activity SELECT * FROM first_activity_by_orders;

-- +goose Down
DROP VIEW first_activity_by_orders;
DROP TRIGGER orders_first_activity ON orders;
DROP FUNCTION follow_first_activity();
DROP TABLE first_activity;
