-- +goose Up
-- The sandbox's hosted pages (SPEC §9.1), as a processor keeps its checkout
-- sessions: what the page is for, where it returns the holder, and once
-- complete the card it saved or the charge it made. The card's number and
-- code never reach this table: the page hands them to the sandbox's
-- tokenizer and keeps the token.
CREATE TABLE sandbox.checkouts (
    checkout_id      text PRIMARY KEY,
    idempotency_key  text NOT NULL UNIQUE,
    request          text NOT NULL,
    mode             text NOT NULL CHECK (mode IN ('setup', 'payment')),
    customer         text NOT NULL,
    amount           numeric,
    currency         char(3),
    paypal           boolean NOT NULL DEFAULT false,
    return_url       text NOT NULL,
    cancel_url       text NOT NULL,
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'complete', 'expired')),
    tries            integer NOT NULL DEFAULT 0,
    token            text NOT NULL DEFAULT '',
    brand            text NOT NULL DEFAULT '',
    last4            text NOT NULL DEFAULT '',
    expiry_month     smallint NOT NULL DEFAULT 0,
    expiry_year      smallint NOT NULL DEFAULT 0,
    holder_name      text NOT NULL DEFAULT '',
    charge_key       text NOT NULL DEFAULT '',
    label            text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE sandbox.checkouts;
