-- +goose Up
-- Events and webhooks (SPEC §14, §12.8).
--
-- Every change of §14's list writes its event from a trigger on the table
-- the change is made to, so that no code path can make the change without
-- its event, nor write the event without the change, and both commit or
-- neither. A new event has no number yet: a deferred trigger numbers a
-- transaction's events as it commits, holding the one row of event_counter
-- until the commit, so that numbers follow the commit order of their
-- writers and a reader paging after an event never skips one committed
-- later with a smaller number. It also takes a snapshot of what the event
-- is about (its facts), as the commit leaves it; the API renders an event's
-- data from its facts, the same way it renders the object itself.

CREATE TABLE events (
    local_no    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seq         bigint UNIQUE,  -- the event's number, in commit order; NULL only until its writer commits
    type        text NOT NULL CHECK (type IN (
                    'invoice.finalized', 'invoice.paid', 'invoice.payment_failed', 'invoice.overdue',
                    'invoice.late_fee_assessed', 'payment.succeeded', 'payment.refunded', 'payment.disputed',
                    'payment_method.updated', 'run.completed')),
    account_id  text COLLATE "C",  -- NULL for run.completed
    object_id   text COLLATE "C" NOT NULL,  -- the invoice number, payment id, card id or run id
    created     timestamptz,
    facts       jsonb
);
CREATE INDEX events_unnumbered ON events (local_no) WHERE seq IS NULL;
CREATE INDEX events_account ON events (account_id, seq);
CREATE INDEX events_object ON events (object_id, type);

CREATE TABLE event_counter (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    last      bigint NOT NULL
);
INSERT INTO event_counter VALUES (true, 0);

-- The invoices found overdue by a run's dunning stage, once each (§13):
-- each one's invoice.overdue event.
CREATE TABLE invoices_overdue (
    invoice_number  text COLLATE "C" PRIMARY KEY REFERENCES invoices,
    found_on        date NOT NULL
);

-- The facts of each kind of object an event is about, as the API shows it:
-- an invoice without its lines, a payment with the invoices it paid, a card
-- on file, a run.
CREATE VIEW payment_records AS
SELECT p.payment_id, p.account_id, p.currency, p.amount::text AS amount, p.method, p.method_label, p.gateway_reference, p.paid_at,
       coalesce((SELECT string_agg(a.invoice_number || ' ' || a.amount::text, ', ' ORDER BY a.entry_id)
                 FROM ledger_entries a WHERE a.kind = 'allocation' AND a.payment_id = p.payment_id), '') AS paid_invoices,
       (SELECT coalesce(sum(b.amount), 0) FROM ledger_entries b WHERE b.kind = 'payback' AND b.payment_id = p.payment_id)::text AS refunded
FROM payments p;

-- +goose StatementBegin
CREATE FUNCTION number_events() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    n     bigint;
    base  bigint;
BEGIN
    -- The first of a transaction's events to get here numbers them all.
    IF NOT EXISTS (SELECT 1 FROM events WHERE local_no = NEW.local_no AND seq IS NULL) THEN
        RETURN NULL;
    END IF;
    SELECT count(*) INTO n FROM events WHERE seq IS NULL;
    UPDATE event_counter SET last = last + n RETURNING last - n INTO base;
    UPDATE events e SET facts = jsonb_build_object(
            'Number', i.number, 'AccountID', i.account_id, 'Type', i.type, 'Billing', i.billing, 'Currency', i.currency,
            'WindowStart', i.window_start, 'WindowEnd', i.window_end, 'IssueDate', i.issue_date,
            'Subtotal', i.subtotal::text, 'Tax', i.tax::text, 'Total', i.total::text, 'Adjusts', coalesce(i.adjusts, ''),
            'DueDate', i.due_date,
            'Allocated', (SELECT coalesce(sum(a.amount), 0)::text FROM ledger_entries a
                          WHERE a.kind = 'allocation' AND a.invoice_number = i.number),
            'Files', (SELECT jsonb_object_agg(f.kind, f.path) FROM invoice_files f WHERE f.invoice_number = i.number))
    FROM invoices i
    WHERE e.seq IS NULL AND e.facts IS NULL AND e.type LIKE 'invoice.%' AND i.number = e.object_id;
    UPDATE events e SET facts = to_jsonb(p)
    FROM payment_records p
    WHERE e.seq IS NULL AND e.facts IS NULL AND e.type LIKE 'payment.%' AND p.payment_id = e.object_id;
    UPDATE events e SET facts = jsonb_build_object(
            'id', m.payment_method_id, 'account_id', m.account_id, 'brand', m.brand, 'last4', m.last4,
            'exp_month', m.expiry_month, 'exp_year', m.expiry_year, 'name', m.holder_name, 'status', m.status,
            'status_reason', m.status_reason, 'default', m.is_default, 'created_at', m.created_at,
            'updated_at', m.updated_at, 'removed_at', m.removed_at)
    FROM payment_methods m
    WHERE e.seq IS NULL AND e.facts IS NULL AND e.type = 'payment_method.updated' AND m.payment_method_id::text = e.object_id;
    UPDATE events e SET facts = jsonb_build_object(
            'run_id', r.run_id, 'as_of', r.as_of, 'stage', r.stage, 'job', r.job, 'status', r.status,
            'started_at', r.started_at, 'finished_at', r.finished_at, 'counts', r.counts, 'error', r.error)
    FROM pipeline_runs r
    WHERE e.seq IS NULL AND e.facts IS NULL AND e.type = 'run.completed' AND r.run_id::text = e.object_id;
    UPDATE events e SET seq = base + p.rank, created = coalesce(e.created, clock_timestamp())
    FROM (SELECT local_no, row_number() OVER (ORDER BY local_no) AS rank FROM events WHERE seq IS NULL) p
    WHERE e.local_no = p.local_no;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER events_numbered AFTER INSERT ON events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION number_events();

-- Events are kept as written: no UPDATE once numbered, no DELETE.
-- +goose StatementBegin
CREATE FUNCTION events_are_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are kept as written (SPEC §14): % refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END $$;
-- +goose StatementEnd
CREATE TRIGGER events_final BEFORE UPDATE ON events
    FOR EACH ROW WHEN (OLD.seq IS NOT NULL) EXECUTE FUNCTION events_are_final();
CREATE TRIGGER events_kept BEFORE DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_final();

-- The writers: one trigger per change of §14's list.
-- +goose StatementBegin
CREATE FUNCTION event_invoices_finalized() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events (type, account_id, object_id)
    SELECT 'invoice.finalized', account_id, number FROM added ORDER BY series, seq;
    RETURN NULL;
END $$;
CREATE FUNCTION event_invoices_paid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events (type, account_id, object_id)
    SELECT 'invoice.paid', account_id, key FROM gone WHERE kind = 'invoice' ORDER BY entry_id;
    RETURN NULL;
END $$;
CREATE FUNCTION event_payments_succeeded() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events (type, account_id, object_id)
    SELECT 'payment.succeeded', account_id, payment_id FROM added ORDER BY payment_id;
    RETURN NULL;
END $$;
CREATE FUNCTION event_payment_refunded() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events (type, account_id, object_id) VALUES ('payment.refunded', NEW.account_id, NEW.payment_id);
    RETURN NULL;
END $$;
CREATE FUNCTION event_invoice_payment_failed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events (type, account_id, object_id) VALUES ('invoice.payment_failed', NEW.account_id, NEW.invoice_number);
    RETURN NULL;
END $$;
CREATE FUNCTION event_invoice_late_fee_assessed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events (type, account_id, object_id)
    SELECT 'invoice.late_fee_assessed', account_id, number FROM invoices WHERE number = NEW.fee_invoice;
    RETURN NULL;
END $$;
CREATE FUNCTION event_invoice_overdue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events (type, account_id, object_id)
    SELECT 'invoice.overdue', account_id, number FROM invoices WHERE number = NEW.invoice_number;
    RETURN NULL;
END $$;
CREATE FUNCTION event_payment_method_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events (type, account_id, object_id) VALUES ('payment_method.updated', NEW.account_id, NEW.payment_method_id::text);
    RETURN NULL;
END $$;
CREATE FUNCTION event_run_completed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events (type, account_id, object_id) VALUES ('run.completed', NULL, NEW.run_id::text);
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER invoices_finalized_event AFTER INSERT ON invoices
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION event_invoices_finalized();
CREATE TRIGGER invoices_paid_event AFTER DELETE ON ledger_open_items
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION event_invoices_paid();
CREATE TRIGGER payments_succeeded_event AFTER INSERT ON payments
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION event_payments_succeeded();
CREATE TRIGGER payment_refunded_event AFTER INSERT ON ledger_entries
    FOR EACH ROW WHEN (NEW.kind = 'payback') EXECUTE FUNCTION event_payment_refunded();
CREATE TRIGGER invoice_payment_failed_event AFTER INSERT ON gateway_attempts
    FOR EACH ROW WHEN (NEW.purpose = 'auto_charge' AND NEW.status = 'declined') EXECUTE FUNCTION event_invoice_payment_failed();
CREATE TRIGGER invoice_payment_failed_event_on_answer AFTER UPDATE OF status ON gateway_attempts
    FOR EACH ROW WHEN (NEW.purpose = 'auto_charge' AND NEW.status = 'declined' AND OLD.status <> 'declined')
    EXECUTE FUNCTION event_invoice_payment_failed();
CREATE TRIGGER invoice_late_fee_assessed_event AFTER INSERT ON late_fees
    FOR EACH ROW WHEN (NEW.fee_invoice IS NOT NULL) EXECUTE FUNCTION event_invoice_late_fee_assessed();
CREATE TRIGGER invoice_overdue_event AFTER INSERT ON invoices_overdue
    FOR EACH ROW EXECUTE FUNCTION event_invoice_overdue();
CREATE TRIGGER payment_method_added_event AFTER INSERT ON payment_methods
    FOR EACH ROW EXECUTE FUNCTION event_payment_method_updated();
CREATE TRIGGER payment_method_updated_event AFTER UPDATE ON payment_methods
    FOR EACH ROW WHEN ((OLD.status, OLD.status_reason, OLD.is_default, OLD.removed_at, OLD.expiry_month, OLD.expiry_year,
                        OLD.brand, OLD.last4, OLD.holder_name)
                       IS DISTINCT FROM (NEW.status, NEW.status_reason, NEW.is_default, NEW.removed_at, NEW.expiry_month,
                                         NEW.expiry_year, NEW.brand, NEW.last4, NEW.holder_name))
    EXECUTE FUNCTION event_payment_method_updated();
CREATE TRIGGER run_completed_event AFTER UPDATE OF status ON pipeline_runs
    FOR EACH ROW WHEN (OLD.status = 'running' AND NEW.status <> 'running') EXECUTE FUNCTION event_run_completed();

-- What was done before events existed gets its events now, in time order,
-- so that every change has its event whatever the database's age (§12.8).
INSERT INTO events (type, account_id, object_id, created)
SELECT type, account_id, object_id, created FROM (
    SELECT 'invoice.finalized' AS type, account_id, number AS object_id, finalized_at AS created, 1 AS rank FROM invoices
    UNION ALL
    SELECT 'invoice.paid', i.account_id, i.number, i.finalized_at, 2 FROM invoices i
    WHERE i.total > 0 AND NOT EXISTS (SELECT 1 FROM ledger_open_items o WHERE o.kind = 'invoice' AND o.key = i.number)
    UNION ALL
    SELECT 'payment.succeeded', account_id, payment_id, paid_at, 3 FROM payments
    UNION ALL
    SELECT 'payment.refunded', account_id, payment_id, recorded_at, 4 FROM ledger_entries WHERE kind = 'payback'
    UNION ALL
    SELECT 'invoice.payment_failed', account_id, invoice_number, attempted_at, 5 FROM gateway_attempts
    WHERE purpose = 'auto_charge' AND status = 'declined'
    UNION ALL
    SELECT 'invoice.late_fee_assessed', i.account_id, i.number, i.finalized_at, 6 FROM late_fees f JOIN invoices i ON i.number = f.fee_invoice
    UNION ALL
    SELECT 'payment_method.updated', account_id, payment_method_id::text, updated_at, 7 FROM payment_methods
    UNION ALL
    SELECT 'run.completed', NULL, run_id::text, finished_at, 8 FROM pipeline_runs WHERE status <> 'running'
) history ORDER BY created, rank, object_id;

-- Webhook endpoints (§14): where events are sent, which types (NULL: all)
-- and whose (NULL: every account's), from the event after after_seq on.
CREATE TABLE webhook_endpoints (
    endpoint_id      text COLLATE "C" PRIMARY KEY,
    url              text NOT NULL,
    event_types      text[],
    account_id       text COLLATE "C" REFERENCES accounts,
    description      text NOT NULL DEFAULT '',
    status           text NOT NULL DEFAULT 'enabled' CHECK (status IN ('enabled', 'disabled')),
    disabled_reason  text NOT NULL DEFAULT '',
    after_seq        bigint NOT NULL,
    failing_since    timestamptz,  -- the first failed attempt since the last success
    created_at       timestamptz NOT NULL DEFAULT now(),
    removed_at       timestamptz
);

-- An endpoint's signing secrets: the current one, and for a day after a
-- rotation the one before it (expires_at).
CREATE TABLE webhook_secrets (
    secret_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint_id  text COLLATE "C" NOT NULL REFERENCES webhook_endpoints,
    secret       text NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz
);
CREATE INDEX webhook_secrets_endpoint ON webhook_secrets (endpoint_id);

-- How far the events have been handed to the endpoints.
CREATE TABLE webhook_fanout (
    only_row      boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    through_seq   bigint NOT NULL
);
INSERT INTO webhook_fanout SELECT true, last FROM event_counter;

-- One delivery of an event to an endpoint: the event's own (once per
-- endpoint and event), a replay, or a test; its attempts below.
CREATE TABLE webhook_deliveries (
    delivery_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint_id   text COLLATE "C" NOT NULL REFERENCES webhook_endpoints,
    event_seq     bigint REFERENCES events (seq),  -- NULL for a test
    reason        text NOT NULL CHECK (reason IN ('event', 'replay', 'test')),
    test_event    jsonb,  -- a test's webhook.test event
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts      integer NOT NULL DEFAULT 0,
    error         text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    CHECK ((event_seq IS NULL) = (reason = 'test')),
    CHECK ((status = 'pending') = (finished_at IS NULL))
);
CREATE UNIQUE INDEX webhook_deliveries_once ON webhook_deliveries (endpoint_id, event_seq) WHERE reason = 'event';
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (event_seq) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, delivery_id);

CREATE TABLE webhook_attempts (
    delivery_id   bigint NOT NULL REFERENCES webhook_deliveries,
    attempt_no    integer NOT NULL CHECK (attempt_no > 0),
    attempted_at  timestamptz NOT NULL,
    status_code   integer,  -- NULL when no answer came
    duration_ms   integer NOT NULL,
    error         text NOT NULL DEFAULT '',
    response      text NOT NULL DEFAULT '',  -- at most 1 KiB of the answer
    PRIMARY KEY (delivery_id, attempt_no)
);

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_fanout;
DROP TABLE webhook_secrets;
DROP TABLE webhook_endpoints;
DROP TRIGGER run_completed_event ON pipeline_runs;
DROP TRIGGER payment_method_updated_event ON payment_methods;
DROP TRIGGER payment_method_added_event ON payment_methods;
DROP TRIGGER invoice_overdue_event ON invoices_overdue;
DROP TRIGGER invoice_late_fee_assessed_event ON late_fees;
DROP TRIGGER invoice_payment_failed_event_on_answer ON gateway_attempts;
DROP TRIGGER invoice_payment_failed_event ON gateway_attempts;
DROP TRIGGER payment_refunded_event ON ledger_entries;
DROP TRIGGER payments_succeeded_event ON payments;
DROP TRIGGER invoices_paid_event ON ledger_open_items;
DROP TRIGGER invoices_finalized_event ON invoices;
DROP FUNCTION event_run_completed();
DROP FUNCTION event_payment_method_updated();
DROP FUNCTION event_invoice_overdue();
DROP FUNCTION event_invoice_late_fee_assessed();
DROP FUNCTION event_invoice_payment_failed();
DROP FUNCTION event_payment_refunded();
DROP FUNCTION event_payments_succeeded();
DROP FUNCTION event_invoices_paid();
DROP FUNCTION event_invoices_finalized();
DROP TABLE events;
DROP FUNCTION events_are_final();
DROP FUNCTION number_events();
DROP VIEW payment_records;
DROP TABLE invoices_overdue;
DROP TABLE event_counter;
