-- +goose Up
-- The ledger's open items (SPEC §9): every invoice with something due,
-- every payment with something left to allocate and every credit with
-- something left to allocate or pay back. Collect and allocation read these
-- instead of summing every entry ever made, so their cost follows what is
-- open, not the months of history. A row is added with its ledger entry and
-- goes in the same statement as the allocation or payback that uses up
-- what it names; ledger entries themselves stay immutable. An item never
-- reopens: allocations and paybacks are positive and never reversed.
-- billing verify recomputes the set from the ledger (§12.5).
CREATE TABLE ledger_open_items (
    entry_id    bigint PRIMARY KEY REFERENCES ledger_entries,  -- the invoice or payment entry
    account_id  text COLLATE "C" NOT NULL,
    currency    char(3) NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('invoice', 'credit', 'payment')),
    key         text COLLATE "C" NOT NULL,  -- the invoice or credit number, or the payment id
    UNIQUE (kind, key)
);
CREATE INDEX ledger_open_items_account ON ledger_open_items (account_id, currency);

-- +goose StatementBegin
CREATE FUNCTION follow_ledger_open_items() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    credit text;
BEGIN
    IF NEW.kind = 'invoice' AND NEW.amount <> 0 THEN
        INSERT INTO ledger_open_items VALUES (NEW.entry_id, NEW.account_id, NEW.currency,
            CASE WHEN NEW.amount > 0 THEN 'invoice' ELSE 'credit' END, NEW.invoice_number);
        RETURN NULL;
    ELSIF NEW.kind = 'payment' THEN
        INSERT INTO ledger_open_items VALUES (NEW.entry_id, NEW.account_id, NEW.currency, 'payment', NEW.payment_id);
        RETURN NULL;
    ELSIF NEW.kind = 'invoice' THEN
        RETURN NULL; -- a zero invoice has nothing due
    END IF;
    -- An allocation or a payback: the check_ledger_allocation trigger holds
    -- the locks of the invoice, payment and credit it names.
    IF NEW.kind = 'allocation' THEN
        DELETE FROM ledger_open_items o WHERE o.kind = 'invoice' AND o.key = NEW.invoice_number
            AND (SELECT sum(a.amount) FROM ledger_entries a WHERE a.kind = 'allocation' AND a.invoice_number = NEW.invoice_number)
                >= (SELECT e.amount FROM ledger_entries e WHERE e.entry_id = o.entry_id);
        IF NEW.payment_id IS NOT NULL THEN
            DELETE FROM ledger_open_items o WHERE o.kind = 'payment' AND o.key = NEW.payment_id
                AND (SELECT sum(a.amount) FROM ledger_entries a WHERE a.kind = 'allocation' AND a.payment_id = NEW.payment_id)
                    >= (SELECT e.amount FROM ledger_entries e WHERE e.entry_id = o.entry_id);
        END IF;
    END IF;
    credit := CASE WHEN NEW.kind = 'payback' THEN NEW.invoice_number ELSE NEW.credit_number END;
    IF credit IS NOT NULL THEN
        DELETE FROM ledger_open_items o WHERE o.kind = 'credit' AND o.key = credit
            AND (SELECT sum(a.amount) FROM ledger_entries a
                 WHERE (a.kind = 'allocation' AND a.credit_number = credit) OR (a.kind = 'payback' AND a.invoice_number = credit))
                >= -(SELECT e.amount FROM ledger_entries e WHERE e.entry_id = o.entry_id);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER ledger_open_items_follow AFTER INSERT ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION follow_ledger_open_items();

-- The open items recomputed from the sums of the whole ledger: what fills
-- the table today, and what billing verify compares it with.
CREATE VIEW ledger_open_items_by_sums AS
SELECT entry_id, account_id, currency, kind, key FROM (
    SELECT e.entry_id, e.account_id, e.currency,
           CASE WHEN e.kind = 'payment' THEN 'payment' WHEN e.amount > 0 THEN 'invoice' ELSE 'credit' END AS kind,
           coalesce(e.payment_id, e.invoice_number) AS key,
           abs(e.amount) AS value,
           CASE WHEN e.kind = 'payment' THEN
               (SELECT coalesce(sum(a.amount), 0) FROM ledger_entries a WHERE a.kind = 'allocation' AND a.payment_id = e.payment_id)
           WHEN e.amount > 0 THEN
               (SELECT coalesce(sum(a.amount), 0) FROM ledger_entries a WHERE a.kind = 'allocation' AND a.invoice_number = e.invoice_number)
           ELSE
               (SELECT coalesce(sum(a.amount), 0) FROM ledger_entries a
                WHERE (a.kind = 'allocation' AND a.credit_number = e.invoice_number) OR (a.kind = 'payback' AND a.invoice_number = e.invoice_number))
           END AS used
    FROM ledger_entries e
    WHERE e.kind = 'payment' OR (e.kind = 'invoice' AND e.amount <> 0)
) s
WHERE used < value;

INSERT INTO ledger_open_items SELECT * FROM ledger_open_items_by_sums;

-- +goose Down
DROP VIEW ledger_open_items_by_sums;
DROP TRIGGER ledger_open_items_follow ON ledger_entries;
DROP FUNCTION follow_ledger_open_items();
DROP TABLE ledger_open_items;
