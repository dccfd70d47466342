-- +goose Up
-- The ledger, payments and cards on file (SPEC §9).
--
-- ledger_entries is the account's book: one immutable entry per finalized
-- invoice (its total, negative for a credit or refund), per payment
-- received, per sum paid back to a card, and per allocation of a payment or
-- a credit to an invoice. Balances and amounts due are sums over it; nothing
-- in it is ever updated or deleted (triggers below), and a trigger refuses
-- any allocation or payback above what its invoice, payment or credit holds.
--
-- invoice_number and credit_number carry no foreign key: an invoice entry is
-- written in the invoice's own transaction (the close writes tens of
-- thousands at once, and a key check per row would cost more than the row),
-- invoices are never deleted, and the allocation trigger reads the invoices
-- it names, refusing one that does not exist.

-- The cards on file: the gateway's token and what may be shown of the card,
-- never its number or security code.
ALTER TABLE payment_methods DROP CONSTRAINT payment_methods_status_check;
ALTER TABLE payment_methods ADD CONSTRAINT payment_methods_status_check
    CHECK (status IN ('pending', 'valid', 'invalid', 'expired'));
DROP INDEX payment_methods_one_per_account;
ALTER TABLE payment_methods
    ADD COLUMN holder_name   text NOT NULL DEFAULT '',
    ADD COLUMN status_reason text NOT NULL DEFAULT '',
    ADD COLUMN is_default    boolean NOT NULL DEFAULT false,
    ADD COLUMN removed_at    timestamptz,
    ADD COLUMN updated_at    timestamptz NOT NULL DEFAULT now();
CREATE INDEX payment_methods_account ON payment_methods (account_id);
-- One default card per account.
CREATE UNIQUE INDEX payment_methods_one_default ON payment_methods (account_id)
    WHERE is_default AND removed_at IS NULL;

ALTER TABLE payments ADD COLUMN method_label text NOT NULL DEFAULT '';

-- Every call to the gateway that moves money, with its idempotency key:
-- the same key always means the same request (SPEC §9 "Never twice").
-- An attempt is written, and committed, before the gateway is called, so a
-- process killed while waiting for the answer leaves an attempt that the
-- next run asks the gateway about instead of charging again.
CREATE TABLE gateway_attempts (
    attempt_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idempotency_key    text NOT NULL UNIQUE,
    request            text NOT NULL,  -- the parameters, to refuse a key reused for another request
    purpose            text NOT NULL CHECK (purpose IN ('auto_charge', 'payment', 'payback')),
    account_id         text COLLATE "C" NOT NULL REFERENCES accounts,
    currency           char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    amount             numeric NOT NULL CHECK (amount > 0),
    invoice_number     text COLLATE "C",  -- auto_charge: the invoice; payback: the refund invoice
    payment_method_id  bigint REFERENCES payment_methods,
    method             text NOT NULL CHECK (method IN ('card_on_file', 'card', 'paypal')),
    method_label       text NOT NULL,
    attempt_no         smallint NOT NULL DEFAULT 1 CHECK (attempt_no > 0),
    attempted_at       timestamptz NOT NULL,
    status             text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'declined', 'unknown')),
    decline_code       text NOT NULL DEFAULT '',
    hard_decline       boolean NOT NULL DEFAULT false,
    gateway_reference  text NOT NULL DEFAULT '',
    payment_id         text COLLATE "C" REFERENCES payments,
    settled_at         timestamptz
);
CREATE INDEX gateway_attempts_account ON gateway_attempts (account_id);
CREATE INDEX gateway_attempts_invoice ON gateway_attempts (invoice_number) WHERE invoice_number IS NOT NULL;
-- One auto-charge of an invoice in flight at a time.
CREATE UNIQUE INDEX gateway_attempts_one_in_flight ON gateway_attempts (invoice_number)
    WHERE purpose = 'auto_charge' AND status IN ('pending', 'unknown');

CREATE TABLE ledger_entries (
    entry_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id      text COLLATE "C" NOT NULL,
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    kind            text NOT NULL CHECK (kind IN ('invoice', 'payment', 'payback', 'allocation')),
    amount          numeric NOT NULL,
    invoice_number  text COLLATE "C",  -- invoice: it; allocation: the invoice paid; payback: the credit paid out
    payment_id      text COLLATE "C" REFERENCES payments,  -- payment: it; allocation: the payment allocated; payback: the payment paid back
    credit_number   text COLLATE "C",  -- allocation: the credit or refund invoice allocated
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (kind = 'invoice' OR amount > 0),
    CHECK (kind <> 'invoice' OR (invoice_number IS NOT NULL AND payment_id IS NULL AND credit_number IS NULL)),
    CHECK (kind <> 'payment' OR (payment_id IS NOT NULL AND invoice_number IS NULL AND credit_number IS NULL)),
    CHECK (kind <> 'allocation' OR (invoice_number IS NOT NULL AND (payment_id IS NULL) <> (credit_number IS NULL))),
    CHECK (kind <> 'payback' OR (invoice_number IS NOT NULL AND payment_id IS NOT NULL AND credit_number IS NULL))
);
CREATE UNIQUE INDEX ledger_one_entry_per_invoice ON ledger_entries (invoice_number) WHERE kind = 'invoice';
CREATE UNIQUE INDEX ledger_one_entry_per_payment ON ledger_entries (payment_id) WHERE kind = 'payment';
CREATE INDEX ledger_entries_account ON ledger_entries (account_id, currency);
CREATE INDEX ledger_entries_paid ON ledger_entries (invoice_number) WHERE kind IN ('allocation', 'payback');
CREATE INDEX ledger_entries_credit ON ledger_entries (credit_number) WHERE kind = 'allocation';
CREATE INDEX ledger_entries_payment ON ledger_entries (payment_id) WHERE kind IN ('allocation', 'payback');

-- +goose StatementBegin
CREATE FUNCTION refuse_change_to_ledger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is an immutable record (SPEC §9): % refused; a correction is a new entry', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END $$;
-- +goose StatementEnd
CREATE TRIGGER ledger_entries_are_final BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_ledger();
CREATE TRIGGER ledger_entries_are_never_truncated BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_to_ledger();
CREATE TRIGGER payments_are_final BEFORE UPDATE OR DELETE ON payments
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_ledger();
CREATE TRIGGER payments_are_never_truncated BEFORE TRUNCATE ON payments
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_to_ledger();

-- An allocation never takes an invoice above its total, a payment above its
-- amount or a credit above its value; a payback never pays out more than the
-- credit it pays or the payment it returns to (SPEC §9, §12.5). Each invoice,
-- payment and credit is locked while its sums are read, so two allocations
-- committing at once cannot both pass on the same room.
-- +goose StatementBegin
CREATE FUNCTION check_ledger_allocation() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target  invoices%ROWTYPE;
    credit  invoices%ROWTYPE;
    paid    payments%ROWTYPE;
    used    numeric;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('ledger:' || NEW.invoice_number));
    SELECT * INTO target FROM invoices WHERE number = NEW.invoice_number;
    IF NOT FOUND OR target.account_id <> NEW.account_id OR target.currency <> NEW.currency THEN
        RAISE EXCEPTION 'ledger %: invoice % is not an invoice of account % in %', NEW.kind, NEW.invoice_number, NEW.account_id, NEW.currency
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.kind = 'allocation' THEN
        SELECT coalesce(sum(amount), 0) INTO used FROM ledger_entries
        WHERE kind = 'allocation' AND invoice_number = NEW.invoice_number;
        IF used + NEW.amount > target.total THEN
            RAISE EXCEPTION 'allocation of % to invoice % would exceed its total % (% already allocated)', NEW.amount, NEW.invoice_number, target.total, used
                USING ERRCODE = 'check_violation';
        END IF;
    ELSE -- a payback pays out the credit of a refund invoice
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
        SELECT coalesce(sum(amount), 0) INTO used FROM ledger_entries
        WHERE kind = NEW.kind AND payment_id = NEW.payment_id;
        IF used + NEW.amount > paid.amount THEN
            RAISE EXCEPTION '% of % from payment % would exceed its amount % (% already)', NEW.kind, NEW.amount, NEW.payment_id, paid.amount, used
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
CREATE TRIGGER ledger_allocations_fit BEFORE INSERT ON ledger_entries
    FOR EACH ROW WHEN (NEW.kind IN ('allocation', 'payback')) EXECUTE FUNCTION check_ledger_allocation();

-- Every invoice finalized before the ledger existed is an entry of it.
INSERT INTO ledger_entries (account_id, currency, kind, amount, invoice_number, recorded_at)
SELECT account_id, currency, 'invoice', total, number, finalized_at FROM invoices ORDER BY issue_date, series, seq;

-- E-mails, written in the same transaction as the change that causes them
-- and sent by the daemon (SPEC §9 "Notifications"). message_id is the
-- stable Message-ID every retry of the message carries.
CREATE TABLE outbox (
    message_id       text PRIMARY KEY,
    account_id       text COLLATE "C" REFERENCES accounts,
    recipient        text NOT NULL,
    subject          text NOT NULL,
    body             text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz,
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text NOT NULL DEFAULT ''
);
CREATE INDEX outbox_unsent ON outbox (next_attempt_at) WHERE sent_at IS NULL;

-- +goose Down
DROP TABLE outbox;
DROP TABLE ledger_entries;
DROP FUNCTION check_ledger_allocation();
DROP TRIGGER payments_are_never_truncated ON payments;
DROP TRIGGER payments_are_final ON payments;
DROP FUNCTION refuse_change_to_ledger();
DROP TABLE gateway_attempts;
ALTER TABLE payments DROP COLUMN method_label;
DROP INDEX payment_methods_one_default;
DROP INDEX payment_methods_account;
ALTER TABLE payment_methods DROP COLUMN holder_name, DROP COLUMN status_reason, DROP COLUMN is_default,
    DROP COLUMN removed_at, DROP COLUMN updated_at;
ALTER TABLE payment_methods DROP CONSTRAINT payment_methods_status_check;
ALTER TABLE payment_methods ADD CONSTRAINT payment_methods_status_check CHECK (status IN ('pending', 'valid', 'invalid'));
CREATE UNIQUE INDEX payment_methods_one_per_account ON payment_methods (account_id);
