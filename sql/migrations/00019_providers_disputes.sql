-- +goose Up
-- Payment providers, hosted pages, provider events and disputes (SPEC §9,
-- §9.1, §12.5, §12.9).

-- The provider's customer of each account, made when first needed.
CREATE TABLE gateway_customers (
    account_id   text COLLATE "C" NOT NULL REFERENCES accounts,
    gateway      text NOT NULL,
    customer_id  text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, gateway)
);

-- Each hosted page opened for an account: a card to keep on file (setup)
-- or a one-time payment (payment, with its gateway attempt). It is recorded
-- once: the return and the provider's event both end here, and whichever
-- comes second finds it complete.
CREATE TABLE checkouts (
    checkout_id        text PRIMARY KEY,
    gateway            text NOT NULL,
    account_id         text COLLATE "C" NOT NULL REFERENCES accounts,
    mode               text NOT NULL CHECK (mode IN ('setup', 'payment')),
    idempotency_key    text NOT NULL UNIQUE,
    url                text NOT NULL,
    make_default       boolean NOT NULL DEFAULT false,
    attempt_id         bigint REFERENCES gateway_attempts,
    payment_method_id  bigint REFERENCES payment_methods,
    status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'complete', 'expired')),
    created_at         timestamptz NOT NULL DEFAULT now(),
    completed_at       timestamptz,
    CHECK ((mode = 'payment') = (attempt_id IS NOT NULL)),
    CHECK (mode = 'setup' OR payment_method_id IS NULL)
);
CREATE INDEX checkouts_account ON checkouts (account_id);
CREATE INDEX checkouts_open ON checkouts (created_at) WHERE status = 'open';
-- One card on file per hosted page.
CREATE UNIQUE INDEX checkouts_one_card ON checkouts (payment_method_id) WHERE payment_method_id IS NOT NULL;

-- The provider's signed events, each kept once by its id before it is
-- answered (§9.1) and processed by a job of the queue.
CREATE TABLE provider_events (
    gateway       text NOT NULL,
    event_id      text NOT NULL,
    type          text NOT NULL,
    payload       jsonb NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    processed_at  timestamptz,
    outcome       text NOT NULL DEFAULT '',
    PRIMARY KEY (gateway, event_id)
);
CREATE INDEX provider_events_unprocessed ON provider_events (received_at) WHERE processed_at IS NULL;

-- Disputes (chargebacks) of payments, as the provider last told them.
CREATE TABLE disputes (
    dispute_id   text PRIMARY KEY,
    payment_id   text COLLATE "C" NOT NULL REFERENCES payments,
    account_id   text COLLATE "C" NOT NULL REFERENCES accounts,
    currency     char(3) NOT NULL,
    amount       numeric NOT NULL CHECK (amount > 0),
    reason       text NOT NULL DEFAULT '',
    status       text NOT NULL CHECK (status IN ('open', 'won', 'lost')),
    opened_at    timestamptz NOT NULL DEFAULT now(),
    closed_at    timestamptz
);
CREATE INDEX disputes_payment ON disputes (payment_id);

-- The ledger takes disputes: a dispute entry takes the disputed amount of a
-- payment back, a dispute_reversal returns it when the dispute is won. An
-- allocation is reversed by an allocation of the opposite sign naming it
-- (reverses): entries stay immutable, and every sum of allocations is the
-- net allocated.
ALTER TABLE ledger_entries
    ADD COLUMN reverses   bigint REFERENCES ledger_entries,
    ADD COLUMN dispute_id text REFERENCES disputes;
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_kind_check
    CHECK (kind IN ('invoice', 'payment', 'payback', 'allocation', 'dispute', 'dispute_reversal'));
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_check;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_check
    CHECK (kind = 'invoice' OR amount > 0 OR (kind = 'allocation' AND reverses IS NOT NULL AND amount < 0));
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_reverses_check
    CHECK (reverses IS NULL OR (kind = 'allocation' AND amount < 0 AND dispute_id IS NOT NULL));
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_dispute_check
    CHECK (kind NOT IN ('dispute', 'dispute_reversal')
           OR (payment_id IS NOT NULL AND dispute_id IS NOT NULL AND invoice_number IS NULL AND credit_number IS NULL));
-- No dispute moves money twice (§12.9): one entry of each kind per dispute.
CREATE UNIQUE INDEX ledger_one_entry_per_dispute ON ledger_entries (dispute_id, kind)
    WHERE kind IN ('dispute', 'dispute_reversal');
CREATE INDEX ledger_entries_disputed ON ledger_entries (payment_id) WHERE kind IN ('dispute', 'dispute_reversal');

-- What of a payment is used: allocated (net of reversals) and disputed
-- (net of disputes won). Two sums, each within one partial index
-- (ledger_entries_payment, ledger_entries_disputed): the triggers call it
-- for every allocation a close or a collect writes.
-- +goose StatementBegin
CREATE FUNCTION ledger_payment_used(payment text) RETURNS numeric LANGUAGE sql STABLE AS $$
    SELECT (SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE kind = 'allocation' AND payment_id = payment)
         + (SELECT coalesce(sum(CASE WHEN kind = 'dispute' THEN amount ELSE -amount END), 0) FROM ledger_entries
            WHERE kind IN ('dispute', 'dispute_reversal') AND payment_id = payment)
$$;
-- +goose StatementEnd

-- The allocation check of 00006 with reversals and disputes: an invoice is
-- never allocated below zero or above its total; a payment never has more
-- used than its amount; a dispute reversal returns at most its dispute.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION check_ledger_allocation() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target  invoices%ROWTYPE;
    credit  invoices%ROWTYPE;
    paid    payments%ROWTYPE;
    used    numeric;
BEGIN
    IF NEW.kind IN ('allocation', 'payback') THEN
        PERFORM pg_advisory_xact_lock(hashtext('ledger:' || NEW.invoice_number));
        SELECT * INTO target FROM invoices WHERE number = NEW.invoice_number;
        IF NOT FOUND OR target.account_id <> NEW.account_id OR target.currency <> NEW.currency THEN
            RAISE EXCEPTION 'ledger %: invoice % is not an invoice of account % in %', NEW.kind, NEW.invoice_number, NEW.account_id, NEW.currency
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF NEW.kind = 'allocation' THEN
        SELECT coalesce(sum(amount), 0) INTO used FROM ledger_entries
        WHERE kind = 'allocation' AND invoice_number = NEW.invoice_number;
        IF used + NEW.amount > target.total THEN
            RAISE EXCEPTION 'allocation of % to invoice % would exceed its total % (% already allocated)', NEW.amount, NEW.invoice_number, target.total, used
                USING ERRCODE = 'check_violation';
        END IF;
        IF used + NEW.amount < 0 THEN
            RAISE EXCEPTION 'reversal of % from invoice % would take back more than its % allocated', -NEW.amount, NEW.invoice_number, used
                USING ERRCODE = 'check_violation';
        END IF;
    ELSIF NEW.kind = 'payback' THEN -- a payback pays out the credit of a refund invoice
        SELECT coalesce(sum(amount), 0) INTO used FROM ledger_entries
        WHERE (kind = 'payback' AND invoice_number = NEW.invoice_number) OR (kind = 'allocation' AND credit_number = NEW.invoice_number);
        IF used + NEW.amount > -target.total THEN
            RAISE EXCEPTION 'payback of % from % would exceed its credit % (% already used)', NEW.amount, NEW.invoice_number, -target.total, used
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF NEW.payment_id IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(hashtext('ledger:' || NEW.payment_id));
        SELECT * INTO paid FROM payments WHERE payment_id = NEW.payment_id;
        IF paid.account_id <> NEW.account_id OR paid.currency <> NEW.currency THEN
            RAISE EXCEPTION 'ledger %: payment % is not a payment of account % in %', NEW.kind, NEW.payment_id, NEW.account_id, NEW.currency
                USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.kind = 'payback' THEN
            SELECT coalesce(sum(amount), 0) INTO used FROM ledger_entries WHERE kind = 'payback' AND payment_id = NEW.payment_id;
            IF used + NEW.amount > paid.amount THEN
                RAISE EXCEPTION 'payback of % from payment % would exceed its amount % (% already)', NEW.amount, NEW.payment_id, paid.amount, used
                    USING ERRCODE = 'check_violation';
            END IF;
        ELSE
            used := ledger_payment_used(NEW.payment_id);
            IF used + (CASE WHEN NEW.kind = 'dispute_reversal' THEN -NEW.amount ELSE NEW.amount END) > paid.amount THEN
                RAISE EXCEPTION '% of % from payment % would exceed its amount % (% already allocated or disputed)', NEW.kind, NEW.amount, NEW.payment_id, paid.amount, used
                    USING ERRCODE = 'check_violation';
            END IF;
        END IF;
        IF NEW.kind = 'dispute_reversal' AND NOT EXISTS (SELECT 1 FROM ledger_entries d
                WHERE d.kind = 'dispute' AND d.dispute_id = NEW.dispute_id AND d.payment_id = NEW.payment_id AND d.amount >= NEW.amount) THEN
            RAISE EXCEPTION 'dispute reversal of % for dispute % returns more than the dispute took', NEW.amount, NEW.dispute_id
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF NEW.credit_number IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(hashtext('ledger:' || NEW.credit_number));
        SELECT * INTO credit FROM invoices WHERE number = NEW.credit_number;
        IF NOT FOUND OR credit.total >= 0 OR credit.account_id <> NEW.account_id OR credit.currency <> NEW.currency THEN
            RAISE EXCEPTION 'allocation: % is not a credit of account % in %', NEW.credit_number, NEW.account_id, NEW.currency
                USING ERRCODE = 'check_violation';
        END IF;
        SELECT coalesce(sum(amount), 0) INTO used FROM ledger_entries
        WHERE (kind = 'allocation' AND credit_number = NEW.credit_number) OR (kind = 'payback' AND invoice_number = NEW.credit_number);
        IF used + NEW.amount > -credit.total THEN
            RAISE EXCEPTION 'allocation of % from credit % would exceed its value % (% already used)', NEW.amount, NEW.credit_number, -credit.total, used
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
DROP TRIGGER ledger_allocations_fit ON ledger_entries;
CREATE TRIGGER ledger_allocations_fit BEFORE INSERT ON ledger_entries
    FOR EACH ROW WHEN (NEW.kind IN ('allocation', 'payback', 'dispute', 'dispute_reversal')) EXECUTE FUNCTION check_ledger_allocation();

-- Items reopened by a reversal: an invoice paid, reopened by a dispute and
-- paid again has an invoice.paid event each time (§12.8 counts them here).
CREATE TABLE ledger_reopened_items (
    entry_id     bigint NOT NULL REFERENCES ledger_entries,  -- the invoice's entry
    reopened_by  bigint PRIMARY KEY REFERENCES ledger_entries  -- the reversal
);

-- The open items of 00012 with reversals and disputes: an item reopens
-- when a reversal or a dispute won gives it room again.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION follow_ledger_open_items() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    credit  text;
    item    bigint;
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
    -- An allocation, a payback or a dispute: the check_ledger_allocation
    -- trigger holds the locks of the invoice, payment and credit it names.
    IF NEW.kind = 'allocation' AND NEW.amount < 0 THEN
        SELECT e.entry_id INTO item FROM ledger_entries e WHERE e.kind = 'invoice' AND e.invoice_number = NEW.invoice_number;
        IF NOT EXISTS (SELECT 1 FROM ledger_open_items o WHERE o.kind = 'invoice' AND o.key = NEW.invoice_number) THEN
            INSERT INTO ledger_open_items VALUES (item, NEW.account_id, NEW.currency, 'invoice', NEW.invoice_number);
            INSERT INTO ledger_reopened_items VALUES (item, NEW.entry_id);
        END IF;
    ELSIF NEW.kind = 'allocation' THEN
        DELETE FROM ledger_open_items o WHERE o.kind = 'invoice' AND o.key = NEW.invoice_number
            AND (SELECT sum(a.amount) FROM ledger_entries a WHERE a.kind = 'allocation' AND a.invoice_number = NEW.invoice_number)
                >= (SELECT e.amount FROM ledger_entries e WHERE e.entry_id = o.entry_id);
    END IF;
    -- A payment's item goes when an allocation or a dispute uses it up, and
    -- comes back when a reversal or a dispute won gives it room.
    IF NEW.payment_id IS NOT NULL AND (NEW.kind = 'dispute' OR (NEW.kind = 'allocation' AND NEW.amount > 0)) THEN
        DELETE FROM ledger_open_items o WHERE o.kind = 'payment' AND o.key = NEW.payment_id
            AND ledger_payment_used(NEW.payment_id) >= (SELECT e.amount FROM ledger_entries e WHERE e.entry_id = o.entry_id);
    ELSIF NEW.payment_id IS NOT NULL AND NEW.kind IN ('allocation', 'dispute_reversal') THEN
        INSERT INTO ledger_open_items
        SELECT e.entry_id, e.account_id, e.currency, 'payment', e.payment_id FROM ledger_entries e
        WHERE e.kind = 'payment' AND e.payment_id = NEW.payment_id AND ledger_payment_used(NEW.payment_id) < e.amount
        ON CONFLICT DO NOTHING;
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

CREATE OR REPLACE VIEW ledger_open_items_by_sums AS
SELECT entry_id, account_id, currency, kind, key FROM (
    SELECT e.entry_id, e.account_id, e.currency,
           CASE WHEN e.kind = 'payment' THEN 'payment' WHEN e.amount > 0 THEN 'invoice' ELSE 'credit' END AS kind,
           coalesce(e.payment_id, e.invoice_number) AS key,
           abs(e.amount) AS value,
           CASE WHEN e.kind = 'payment' THEN ledger_payment_used(e.payment_id)
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

-- A payment as the API shows it: what it pays of each invoice, net of
-- allocations a dispute reversed, and its disputes ("ID STATUS AMOUNT").
CREATE OR REPLACE VIEW payment_records AS
SELECT p.payment_id, p.account_id, p.currency, p.amount::text AS amount, p.method, p.method_label, p.gateway_reference, p.paid_at,
       coalesce((SELECT string_agg(x.invoice_number || ' ' || x.net::text, ', ' ORDER BY x.first)
                 FROM (SELECT a.invoice_number, sum(a.amount) AS net, min(a.entry_id) AS first FROM ledger_entries a
                       WHERE a.kind = 'allocation' AND a.payment_id = p.payment_id
                       GROUP BY a.invoice_number HAVING sum(a.amount) > 0) x), '') AS paid_invoices,
       (SELECT coalesce(sum(b.amount), 0) FROM ledger_entries b WHERE b.kind = 'payback' AND b.payment_id = p.payment_id)::text AS refunded,
       (SELECT coalesce(sum(CASE WHEN d.kind = 'dispute' THEN d.amount ELSE -d.amount END), 0) FROM ledger_entries d
        WHERE d.kind IN ('dispute', 'dispute_reversal') AND d.payment_id = p.payment_id)::text AS disputed,
       coalesce((SELECT string_agg(d.dispute_id || ' ' || d.status || ' ' || d.amount::text, ', ' ORDER BY d.opened_at, d.dispute_id)
                 FROM disputes d WHERE d.payment_id = p.payment_id), '') AS disputes
FROM payments p;

-- payment.disputed (§14): a dispute's money taken back.
-- +goose StatementBegin
CREATE FUNCTION event_payment_disputed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events (type, account_id, object_id) VALUES ('payment.disputed', NEW.account_id, NEW.payment_id);
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER payment_disputed_event AFTER INSERT ON ledger_entries
    FOR EACH ROW WHEN (NEW.kind = 'dispute') EXECUTE FUNCTION event_payment_disputed();

-- +goose Down
DROP TRIGGER payment_disputed_event ON ledger_entries;
DROP FUNCTION event_payment_disputed();
DROP TABLE ledger_reopened_items;
