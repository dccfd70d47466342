-- +goose Up
-- The sandbox gateway's own books, as a card processor keeps them on its
-- side, apart from the product's: the cards it tokenized (their behaviour,
-- never their number) and each request by idempotency key. A migration
-- line of their own (version table sandbox_db_version); a real gateway
-- never reads them.
CREATE SCHEMA IF NOT EXISTS sandbox;

-- An installation whose books the product's schema held moves them here.
-- +goose StatementBegin
DO $$
BEGIN
    IF to_regclass('public.sandbox_cards') IS NOT NULL THEN
        ALTER TABLE public.sandbox_cards SET SCHEMA sandbox;
        ALTER TABLE sandbox.sandbox_cards RENAME TO cards;
    END IF;
    IF to_regclass('public.sandbox_requests') IS NOT NULL THEN
        ALTER TABLE public.sandbox_requests SET SCHEMA sandbox;
        ALTER TABLE sandbox.sandbox_requests RENAME TO requests;
    END IF;
END $$;
-- +goose StatementEnd

CREATE TABLE IF NOT EXISTS sandbox.cards (
    token         text PRIMARY KEY,
    behaviour     text NOT NULL,
    expiry_month  smallint NOT NULL,
    expiry_year   smallint NOT NULL,
    charges       integer NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sandbox.requests (
    idempotency_key  text PRIMARY KEY,
    request          text NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('charge', 'refund')),
    amount           numeric NOT NULL,
    currency         char(3) NOT NULL,
    status           text NOT NULL,
    decline_code     text NOT NULL DEFAULT '',
    hard_decline     boolean NOT NULL DEFAULT false,
    reference        text NOT NULL,
    answered         boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP SCHEMA sandbox CASCADE;
