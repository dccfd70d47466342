-- +goose Up
-- A card changed more than once in one transaction (added as the default,
-- or made the default and validated) is one change of §14: one
-- payment_method.updated event, whose facts are the card as the
-- transaction left it. Only the transaction's own events are still
-- unnumbered, so an unnumbered event of the card is this transaction's.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION event_payment_method_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM events WHERE seq IS NULL AND object_id = NEW.payment_method_id::text
                   AND type = 'payment_method.updated') THEN
        INSERT INTO events (type, account_id, object_id) VALUES ('payment_method.updated', NEW.account_id, NEW.payment_method_id::text);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION event_payment_method_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events (type, account_id, object_id) VALUES ('payment_method.updated', NEW.account_id, NEW.payment_method_id::text);
    RETURN NULL;
END $$;
-- +goose StatementEnd
