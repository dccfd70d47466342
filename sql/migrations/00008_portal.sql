-- +goose Up
-- The portal's access (SPEC §11). An access token is an operator-made
-- token (kind 'token': for the API, or to sign in to the pages), a
-- session (kind 'session': a browser's cookie) or a sign-in link e-mailed
-- to an account's contact (kind 'link': single use). Only the SHA-256 of
-- the secret is stored. A token names an account (an account holder) or a
-- staff role. A session made from a token or a link names its parent:
-- revoking the parent ends the sessions it opened.
CREATE TABLE access_tokens (
    token_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('token', 'session', 'link')),
    secret_hash bytea NOT NULL UNIQUE CHECK (length(secret_hash) = 32),
    role        text NOT NULL CHECK (role IN ('account', 'finance', 'operator')),
    account_id  text COLLATE "C" REFERENCES accounts,
    label       text NOT NULL DEFAULT '' CHECK (length(label) <= 200),
    parent_id   bigint REFERENCES access_tokens,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz,
    used_at     timestamptz,
    revoked_at  timestamptz,
    CHECK ((role = 'account') = (account_id IS NOT NULL))
);
CREATE INDEX access_tokens_parent ON access_tokens (parent_id) WHERE parent_id IS NOT NULL;

-- Every sign-in, download, payment, card change, credit and refund (SPEC
-- §11): who, when, from where, what. Written once, never changed.
CREATE TABLE audit_log (
    entry_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL,
    role        text NOT NULL,
    account_id  text COLLATE "C",
    remote_addr text NOT NULL,
    action      text NOT NULL,
    object      text NOT NULL DEFAULT '',
    outcome     text NOT NULL DEFAULT 'ok'
);
CREATE INDEX audit_log_account ON audit_log (account_id, entry_id);

-- +goose StatementBegin
CREATE FUNCTION audit_log_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only (SPEC §11)';
END $$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_final BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_final();
CREATE TRIGGER audit_log_final_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_final();

-- An invoice list page filters by account, then by status, currency and
-- year, newest first.
CREATE INDEX invoices_account_issue ON invoices (account_id, issue_date DESC, series DESC, seq DESC);

-- +goose Down
DROP INDEX invoices_account_issue;
DROP TABLE audit_log;
DROP FUNCTION audit_log_is_final();
DROP TABLE access_tokens;
