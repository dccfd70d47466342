--
-- PostgreSQL database dump
--

\restrict vkhMoUJkZskvjiEiQJCFuhRbvLQd1uxbXY7mhu4vruxae9N0uE4mIXk7KPbKW6j

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: river_units; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA river_units;


--
-- Name: river_job_state; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.river_job_state AS ENUM (
    'available',
    'cancelled',
    'completed',
    'discarded',
    'pending',
    'retryable',
    'running',
    'scheduled'
);


--
-- Name: river_job_state; Type: TYPE; Schema: river_units; Owner: -
--

CREATE TYPE river_units.river_job_state AS ENUM (
    'available',
    'cancelled',
    'completed',
    'discarded',
    'pending',
    'retryable',
    'running',
    'scheduled'
);


--
-- Name: audit_log_is_final(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.audit_log_is_final() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only (§11)';
END $$;


--
-- Name: check_ledger_allocation(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.check_ledger_allocation() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: follow_first_activity(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.follow_first_activity() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: follow_ledger_open_items(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.follow_ledger_open_items() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: refuse_change_to_finalized_invoice(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.refuse_change_to_finalized_invoice() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'finalized invoices cannot be changed or deleted (%); issue a correction with billing rerun', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;


--
-- Name: refuse_change_to_ledger(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.refuse_change_to_ledger() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION '% is an immutable record (§9): % refused; a correction is a new entry', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END $$;


--
-- Name: river_job_state_in_bitmask(bit, public.river_job_state); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.river_job_state_in_bitmask(bitmask bit, state public.river_job_state) RETURNS boolean
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT CASE state
        WHEN 'available' THEN get_bit(bitmask, 7)
        WHEN 'cancelled' THEN get_bit(bitmask, 6)
        WHEN 'completed' THEN get_bit(bitmask, 5)
        WHEN 'discarded' THEN get_bit(bitmask, 4)
        WHEN 'pending'   THEN get_bit(bitmask, 3)
        WHEN 'retryable' THEN get_bit(bitmask, 2)
        WHEN 'running'   THEN get_bit(bitmask, 1)
        WHEN 'scheduled' THEN get_bit(bitmask, 0)
        ELSE 0
    END = 1;
$$;


--
-- Name: river_job_state_in_bitmask(bit, river_units.river_job_state); Type: FUNCTION; Schema: river_units; Owner: -
--

CREATE FUNCTION river_units.river_job_state_in_bitmask(bitmask bit, state river_units.river_job_state) RETURNS boolean
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT CASE state
        WHEN 'available' THEN get_bit(bitmask, 7)
        WHEN 'cancelled' THEN get_bit(bitmask, 6)
        WHEN 'completed' THEN get_bit(bitmask, 5)
        WHEN 'discarded' THEN get_bit(bitmask, 4)
        WHEN 'pending'   THEN get_bit(bitmask, 3)
        WHEN 'retryable' THEN get_bit(bitmask, 2)
        WHEN 'running'   THEN get_bit(bitmask, 1)
        WHEN 'scheduled' THEN get_bit(bitmask, 0)
        ELSE 0
    END = 1;
$$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: access_tokens; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.access_tokens (
    token_id bigint NOT NULL,
    kind text NOT NULL,
    secret_hash bytea NOT NULL,
    role text NOT NULL,
    account_id text COLLATE pg_catalog."C",
    label text DEFAULT ''::text NOT NULL,
    parent_id bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone,
    used_at timestamp with time zone,
    revoked_at timestamp with time zone,
    CONSTRAINT access_tokens_check CHECK (((role = 'account'::text) = (account_id IS NOT NULL))),
    CONSTRAINT access_tokens_kind_check CHECK ((kind = ANY (ARRAY['token'::text, 'session'::text, 'link'::text]))),
    CONSTRAINT access_tokens_label_check CHECK ((length(label) <= 200)),
    CONSTRAINT access_tokens_role_check CHECK ((role = ANY (ARRAY['account'::text, 'finance'::text, 'operator'::text]))),
    CONSTRAINT access_tokens_secret_hash_check CHECK ((length(secret_hash) = 32))
);


--
-- Name: access_tokens_token_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.access_tokens ALTER COLUMN token_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.access_tokens_token_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: accounts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.accounts (
    account_id text NOT NULL COLLATE pg_catalog."C",
    name text NOT NULL,
    country character(2) NOT NULL,
    currency character(3) NOT NULL,
    billing_day smallint NOT NULL,
    email text,
    CONSTRAINT accounts_account_id_check CHECK ((account_id <> ''::text)),
    CONSTRAINT accounts_billing_day_check CHECK (((billing_day >= 1) AND (billing_day <= 31))),
    CONSTRAINT accounts_country_check CHECK ((country ~ '^[A-Z]{2}$'::text)),
    CONSTRAINT accounts_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text))
);


--
-- Name: audit_log; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_log (
    entry_id bigint NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    actor text NOT NULL,
    role text NOT NULL,
    account_id text COLLATE pg_catalog."C",
    remote_addr text NOT NULL,
    action text NOT NULL,
    object text DEFAULT ''::text NOT NULL,
    outcome text DEFAULT 'ok'::text NOT NULL
);


--
-- Name: audit_log_entry_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.audit_log ALTER COLUMN entry_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.audit_log_entry_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: billing_day_changes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.billing_day_changes (
    account_id text NOT NULL COLLATE pg_catalog."C",
    effective_from date NOT NULL,
    previous_day smallint NOT NULL,
    billing_day smallint NOT NULL,
    changed_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT billing_day_changes_billing_day_check CHECK (((billing_day >= 1) AND (billing_day <= 31))),
    CONSTRAINT billing_day_changes_previous_day_check CHECK (((previous_day >= 1) AND (previous_day <= 31)))
);


--
-- Name: closed_windows; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.closed_windows (
    account_id text NOT NULL COLLATE pg_catalog."C",
    billing text NOT NULL,
    window_start date NOT NULL,
    window_end date NOT NULL,
    closes_on date NOT NULL,
    run_id bigint,
    closed_at timestamp with time zone DEFAULT now() NOT NULL,
    rerun_at timestamp with time zone,
    orders_seen pg_snapshot,
    usage_seen pg_snapshot,
    CONSTRAINT closed_windows_billing_check CHECK ((billing = ANY (ARRAY['anniversary'::text, 'calendar'::text]))),
    CONSTRAINT closed_windows_check CHECK (((window_end >= window_start) AND (closes_on > window_end)))
);


--
-- Name: customers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.customers (
    customer_id text NOT NULL COLLATE pg_catalog."C",
    account_id text NOT NULL COLLATE pg_catalog."C",
    name text NOT NULL,
    country character(2) NOT NULL,
    currency character(3) NOT NULL,
    CONSTRAINT customers_country_check CHECK ((country ~ '^[A-Z]{2}$'::text)),
    CONSTRAINT customers_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT customers_customer_id_check CHECK ((customer_id <> ''::text))
);


--
-- Name: derived_imports; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.derived_imports (
    xid xid8 NOT NULL
);


--
-- Name: first_activity; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.first_activity (
    account_id text NOT NULL COLLATE pg_catalog."C",
    billing text NOT NULL,
    first_date date NOT NULL
);


--
-- Name: orders; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.orders (
    order_id text NOT NULL COLLATE pg_catalog."C",
    subscription_id text NOT NULL COLLATE pg_catalog."C",
    customer_id text NOT NULL COLLATE pg_catalog."C",
    sku text NOT NULL COLLATE pg_catalog."C",
    action text NOT NULL,
    quantity numeric NOT NULL,
    effective_date date NOT NULL,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    ingest_xid xid8 DEFAULT pg_current_xact_id(),
    CONSTRAINT orders_action_check CHECK ((action = ANY (ARRAY['new'::text, 'addQuantity'::text, 'removeQuantity'::text, 'cancel'::text]))),
    CONSTRAINT orders_check CHECK (((action <> 'cancel'::text) OR (quantity = (0)::numeric))),
    CONSTRAINT orders_check1 CHECK (((action <> ALL (ARRAY['addQuantity'::text, 'removeQuantity'::text])) OR (quantity > (0)::numeric))),
    CONSTRAINT orders_order_id_check CHECK ((order_id <> ''::text)),
    CONSTRAINT orders_quantity_check CHECK (((quantity >= (0)::numeric) AND (quantity = trunc(quantity)))),
    CONSTRAINT orders_subscription_id_check CHECK ((subscription_id <> ''::text))
);


--
-- Name: products; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.products (
    sku text NOT NULL COLLATE pg_catalog."C",
    name text NOT NULL,
    kind text NOT NULL,
    billing text NOT NULL,
    CONSTRAINT products_billing_check CHECK ((billing = ANY (ARRAY['anniversary'::text, 'calendar'::text]))),
    CONSTRAINT products_kind_check CHECK ((kind = ANY (ARRAY['license'::text, 'usage'::text, 'onetime'::text]))),
    CONSTRAINT products_sku_check CHECK ((sku <> ''::text))
);


--
-- Name: first_activity_by_orders; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.first_activity_by_orders AS
 SELECT c.account_id,
    p.billing,
    min(o.effective_date) AS first_date
   FROM ((public.orders o
     JOIN public.customers c ON ((c.customer_id = o.customer_id)))
     JOIN public.products p ON ((p.sku = o.sku)))
  GROUP BY c.account_id, p.billing;


--
-- Name: gateway_attempts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.gateway_attempts (
    attempt_id bigint NOT NULL,
    idempotency_key text NOT NULL,
    request text NOT NULL,
    purpose text NOT NULL,
    account_id text NOT NULL COLLATE pg_catalog."C",
    currency character(3) NOT NULL,
    amount numeric NOT NULL,
    invoice_number text COLLATE pg_catalog."C",
    payment_method_id bigint,
    method text NOT NULL,
    method_label text NOT NULL,
    attempt_no smallint DEFAULT 1 NOT NULL,
    attempted_at timestamp with time zone NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    decline_code text DEFAULT ''::text NOT NULL,
    hard_decline boolean DEFAULT false NOT NULL,
    gateway_reference text DEFAULT ''::text NOT NULL,
    payment_id text COLLATE pg_catalog."C",
    settled_at timestamp with time zone,
    CONSTRAINT gateway_attempts_amount_check CHECK ((amount > (0)::numeric)),
    CONSTRAINT gateway_attempts_attempt_no_check CHECK ((attempt_no > 0)),
    CONSTRAINT gateway_attempts_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT gateway_attempts_method_check CHECK ((method = ANY (ARRAY['card_on_file'::text, 'card'::text, 'paypal'::text]))),
    CONSTRAINT gateway_attempts_purpose_check CHECK ((purpose = ANY (ARRAY['auto_charge'::text, 'payment'::text, 'payback'::text]))),
    CONSTRAINT gateway_attempts_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'succeeded'::text, 'declined'::text, 'unknown'::text])))
);


--
-- Name: gateway_attempts_attempt_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.gateway_attempts ALTER COLUMN attempt_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.gateway_attempts_attempt_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: goose_db_version; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.goose_db_version (
    id integer NOT NULL,
    version_id bigint NOT NULL,
    is_applied boolean NOT NULL,
    tstamp timestamp without time zone DEFAULT now() NOT NULL
);


--
-- Name: goose_db_version_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.goose_db_version ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.goose_db_version_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: imports; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.imports (
    import_id bigint NOT NULL,
    kind text NOT NULL,
    file_name text NOT NULL,
    file_sha256 text NOT NULL,
    rows_read bigint NOT NULL,
    rows_added bigint NOT NULL,
    imported_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT imports_kind_check CHECK ((kind = ANY (ARRAY['accounts'::text, 'customers'::text, 'products'::text, 'prices'::text, 'orders'::text, 'usage'::text, 'tax-rates'::text]))),
    CONSTRAINT imports_rows_added_check CHECK ((rows_added >= 0)),
    CONSTRAINT imports_rows_read_check CHECK ((rows_read >= 0))
);


--
-- Name: imports_import_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.imports ALTER COLUMN import_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.imports_import_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: ingest_batches; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.ingest_batches (
    xid xid8 NOT NULL,
    kind text NOT NULL,
    first_activity date NOT NULL,
    last_activity date NOT NULL,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT ingest_batches_check CHECK ((last_activity >= first_activity)),
    CONSTRAINT ingest_batches_kind_check CHECK ((kind = ANY (ARRAY['orders'::text, 'usage'::text])))
);


--
-- Name: invoice_files; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.invoice_files (
    invoice_number text NOT NULL COLLATE pg_catalog."C",
    kind text NOT NULL,
    path text NOT NULL,
    sha256 text NOT NULL,
    written_at timestamp with time zone DEFAULT now() NOT NULL,
    size bigint,
    modified_ns bigint,
    CONSTRAINT invoice_files_kind_check CHECK ((kind = ANY (ARRAY['reconciliation'::text, 'invoice'::text, 'pdf'::text]))),
    CONSTRAINT invoice_files_sha256_check CHECK ((sha256 ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT invoice_files_size_check CHECK ((size >= 0))
);


--
-- Name: invoice_lines; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.invoice_lines (
    invoice_number text NOT NULL COLLATE pg_catalog."C",
    line_no integer NOT NULL,
    customer_id text NOT NULL COLLATE pg_catalog."C",
    subscription_id text COLLATE pg_catalog."C",
    order_id text COLLATE pg_catalog."C",
    sku text NOT NULL COLLATE pg_catalog."C",
    charge_type text NOT NULL,
    charge_start date NOT NULL,
    charge_end date NOT NULL,
    activity_date date NOT NULL,
    unit_price numeric NOT NULL,
    effective_unit_price numeric NOT NULL,
    quantity numeric NOT NULL,
    amount numeric NOT NULL,
    tax numeric NOT NULL,
    total numeric NOT NULL,
    days_charged integer,
    term_days integer,
    detail text,
    reversal boolean DEFAULT false NOT NULL,
    CONSTRAINT invoice_lines_charge_type_check CHECK ((charge_type = ANY (ARRAY['new'::text, 'renew'::text, 'addQuantity'::text, 'removeQuantity'::text, 'cancel'::text, 'usage'::text, 'credit'::text, 'refund'::text]))),
    CONSTRAINT invoice_lines_check CHECK ((charge_end >= charge_start)),
    CONSTRAINT invoice_lines_check1 CHECK ((total = (amount + tax))),
    CONSTRAINT invoice_lines_line_no_check CHECK ((line_no > 0))
);


--
-- Name: invoice_series; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.invoice_series (
    series text NOT NULL,
    last_seq bigint NOT NULL,
    CONSTRAINT invoice_series_last_seq_check CHECK ((last_seq >= 0))
);


--
-- Name: invoices; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.invoices (
    number text NOT NULL COLLATE pg_catalog."C",
    series text NOT NULL,
    seq bigint NOT NULL,
    account_id text NOT NULL COLLATE pg_catalog."C",
    type text NOT NULL,
    billing text NOT NULL,
    currency character(3) NOT NULL,
    window_start date NOT NULL,
    window_end date NOT NULL,
    issue_date date NOT NULL,
    tax_rate numeric DEFAULT 0 NOT NULL,
    subtotal numeric NOT NULL,
    tax numeric NOT NULL,
    total numeric NOT NULL,
    adjusts text COLLATE pg_catalog."C",
    finalized_at timestamp with time zone DEFAULT now() NOT NULL,
    run_id bigint,
    reason text,
    CONSTRAINT invoices_billing_check CHECK ((billing = ANY (ARRAY['anniversary'::text, 'calendar'::text]))),
    CONSTRAINT invoices_check CHECK ((window_end >= window_start)),
    CONSTRAINT invoices_check1 CHECK ((issue_date > window_end)),
    CONSTRAINT invoices_check2 CHECK ((total = (subtotal + tax))),
    CONSTRAINT invoices_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT invoices_reason_check CHECK (((reason IS NULL) OR ((reason <> ''::text) AND (length(reason) <= 500)))),
    CONSTRAINT invoices_seq_check CHECK ((seq > 0)),
    CONSTRAINT invoices_tax_rate_check CHECK (((tax_rate >= (0)::numeric) AND (tax_rate <= (1)::numeric))),
    CONSTRAINT invoices_type_check CHECK ((type = ANY (ARRAY['new'::text, 'recurring'::text, 'onetime'::text, 'credit'::text, 'refund'::text])))
);


--
-- Name: ledger_entries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.ledger_entries (
    entry_id bigint NOT NULL,
    account_id text NOT NULL COLLATE pg_catalog."C",
    currency character(3) NOT NULL,
    kind text NOT NULL,
    amount numeric NOT NULL,
    invoice_number text COLLATE pg_catalog."C",
    payment_id text COLLATE pg_catalog."C",
    credit_number text COLLATE pg_catalog."C",
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT ledger_entries_check CHECK (((kind = 'invoice'::text) OR (amount > (0)::numeric))),
    CONSTRAINT ledger_entries_check1 CHECK (((kind <> 'invoice'::text) OR ((invoice_number IS NOT NULL) AND (payment_id IS NULL) AND (credit_number IS NULL)))),
    CONSTRAINT ledger_entries_check2 CHECK (((kind <> 'payment'::text) OR ((payment_id IS NOT NULL) AND (invoice_number IS NULL) AND (credit_number IS NULL)))),
    CONSTRAINT ledger_entries_check3 CHECK (((kind <> 'allocation'::text) OR ((invoice_number IS NOT NULL) AND ((payment_id IS NULL) <> (credit_number IS NULL))))),
    CONSTRAINT ledger_entries_check4 CHECK (((kind <> 'payback'::text) OR ((invoice_number IS NOT NULL) AND (payment_id IS NOT NULL) AND (credit_number IS NULL)))),
    CONSTRAINT ledger_entries_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT ledger_entries_kind_check CHECK ((kind = ANY (ARRAY['invoice'::text, 'payment'::text, 'payback'::text, 'allocation'::text])))
);


--
-- Name: ledger_entries_entry_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.ledger_entries ALTER COLUMN entry_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.ledger_entries_entry_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: ledger_open_items; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.ledger_open_items (
    entry_id bigint NOT NULL,
    account_id text NOT NULL COLLATE pg_catalog."C",
    currency character(3) NOT NULL,
    kind text NOT NULL,
    key text NOT NULL COLLATE pg_catalog."C",
    CONSTRAINT ledger_open_items_kind_check CHECK ((kind = ANY (ARRAY['invoice'::text, 'credit'::text, 'payment'::text])))
);


--
-- Name: ledger_open_items_by_sums; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.ledger_open_items_by_sums AS
 SELECT s.entry_id,
    s.account_id,
    s.currency,
    s.kind,
    s.key
   FROM ( SELECT e.entry_id,
            e.account_id,
            e.currency,
                CASE
                    WHEN (e.kind = 'payment'::text) THEN 'payment'::text
                    WHEN (e.amount > (0)::numeric) THEN 'invoice'::text
                    ELSE 'credit'::text
                END AS kind,
            COALESCE(e.payment_id, e.invoice_number) AS key,
            abs(e.amount) AS value,
                CASE
                    WHEN (e.kind = 'payment'::text) THEN ( SELECT COALESCE(sum(a.amount), (0)::numeric) AS "coalesce"
                       FROM public.ledger_entries a
                      WHERE ((a.kind = 'allocation'::text) AND (a.payment_id = e.payment_id)))
                    WHEN (e.amount > (0)::numeric) THEN ( SELECT COALESCE(sum(a.amount), (0)::numeric) AS "coalesce"
                       FROM public.ledger_entries a
                      WHERE ((a.kind = 'allocation'::text) AND (a.invoice_number = e.invoice_number)))
                    ELSE ( SELECT COALESCE(sum(a.amount), (0)::numeric) AS "coalesce"
                       FROM public.ledger_entries a
                      WHERE (((a.kind = 'allocation'::text) AND (a.credit_number = e.invoice_number)) OR ((a.kind = 'payback'::text) AND (a.invoice_number = e.invoice_number))))
                END AS used
           FROM public.ledger_entries e
          WHERE ((e.kind = 'payment'::text) OR ((e.kind = 'invoice'::text) AND (e.amount <> (0)::numeric)))) s
  WHERE (s.used < s.value);


--
-- Name: outbox; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.outbox (
    message_id text NOT NULL,
    account_id text COLLATE pg_catalog."C",
    recipient text NOT NULL,
    subject text NOT NULL,
    body text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    sent_at timestamp with time zone,
    attempts integer DEFAULT 0 NOT NULL,
    next_attempt_at timestamp with time zone DEFAULT now() NOT NULL,
    last_error text DEFAULT ''::text NOT NULL
);


--
-- Name: payment_methods; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.payment_methods (
    payment_method_id bigint NOT NULL,
    account_id text NOT NULL COLLATE pg_catalog."C",
    gateway_token text NOT NULL,
    brand text NOT NULL,
    last4 character(4) NOT NULL,
    expiry_month smallint NOT NULL,
    expiry_year smallint NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    holder_name text DEFAULT ''::text NOT NULL,
    status_reason text DEFAULT ''::text NOT NULL,
    is_default boolean DEFAULT false NOT NULL,
    removed_at timestamp with time zone,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT payment_methods_expiry_month_check CHECK (((expiry_month >= 1) AND (expiry_month <= 12))),
    CONSTRAINT payment_methods_expiry_year_check CHECK (((expiry_year >= 2000) AND (expiry_year <= 2999))),
    CONSTRAINT payment_methods_last4_check CHECK ((last4 ~ '^[0-9]{4}$'::text)),
    CONSTRAINT payment_methods_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'valid'::text, 'invalid'::text, 'expired'::text])))
);


--
-- Name: payment_methods_payment_method_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.payment_methods ALTER COLUMN payment_method_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.payment_methods_payment_method_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: payments; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.payments (
    payment_id text NOT NULL COLLATE pg_catalog."C",
    account_id text NOT NULL COLLATE pg_catalog."C",
    currency character(3) NOT NULL,
    amount numeric NOT NULL,
    method text NOT NULL,
    gateway_reference text NOT NULL,
    paid_at timestamp with time zone NOT NULL,
    method_label text DEFAULT ''::text NOT NULL,
    CONSTRAINT payments_amount_check CHECK ((amount > (0)::numeric)),
    CONSTRAINT payments_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT payments_method_check CHECK ((method = ANY (ARRAY['card_on_file'::text, 'card'::text, 'paypal'::text])))
);


--
-- Name: pipeline_runs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.pipeline_runs (
    run_id bigint NOT NULL,
    as_of timestamp with time zone NOT NULL,
    stage text NOT NULL,
    job text,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    finished_at timestamp with time zone,
    status text DEFAULT 'running'::text NOT NULL,
    counts jsonb DEFAULT '{}'::jsonb NOT NULL,
    error text,
    CONSTRAINT pipeline_runs_check CHECK (((status = 'running'::text) = (finished_at IS NULL))),
    CONSTRAINT pipeline_runs_stage_check CHECK ((stage ~ '^(all|rerun|credit|refund|(extract|rate|close|emit|collect)(,(extract|rate|close|emit|collect))*)$'::text)),
    CONSTRAINT pipeline_runs_status_check CHECK ((status = ANY (ARRAY['running'::text, 'succeeded'::text, 'failed'::text, 'stopped'::text])))
);


--
-- Name: pipeline_runs_run_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.pipeline_runs ALTER COLUMN run_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.pipeline_runs_run_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: prices; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.prices (
    sku text NOT NULL COLLATE pg_catalog."C",
    currency character(3) NOT NULL,
    from_quantity numeric DEFAULT 0 NOT NULL,
    effective_from date,
    unit_price numeric NOT NULL,
    CONSTRAINT prices_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT prices_from_quantity_check CHECK ((from_quantity >= (0)::numeric)),
    CONSTRAINT prices_unit_price_check CHECK ((unit_price >= (0)::numeric))
);


--
-- Name: river_client; Type: TABLE; Schema: public; Owner: -
--

CREATE UNLOGGED TABLE public.river_client (
    id text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    paused_at timestamp with time zone,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT name_length CHECK (((char_length(id) > 0) AND (char_length(id) < 128)))
);


--
-- Name: river_client_queue; Type: TABLE; Schema: public; Owner: -
--

CREATE UNLOGGED TABLE public.river_client_queue (
    river_client_id text NOT NULL,
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    max_workers bigint DEFAULT 0 NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    num_jobs_completed bigint DEFAULT 0 NOT NULL,
    num_jobs_running bigint DEFAULT 0 NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT name_length CHECK (((char_length(name) > 0) AND (char_length(name) < 128))),
    CONSTRAINT num_jobs_completed_zero_or_positive CHECK ((num_jobs_completed >= 0)),
    CONSTRAINT num_jobs_running_zero_or_positive CHECK ((num_jobs_running >= 0))
);


--
-- Name: river_job; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.river_job (
    id bigint NOT NULL,
    state public.river_job_state DEFAULT 'available'::public.river_job_state NOT NULL,
    attempt smallint DEFAULT 0 NOT NULL,
    max_attempts smallint NOT NULL,
    attempted_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    finalized_at timestamp with time zone,
    scheduled_at timestamp with time zone DEFAULT now() NOT NULL,
    priority smallint DEFAULT 1 NOT NULL,
    args jsonb NOT NULL,
    attempted_by text[],
    errors jsonb[],
    kind text NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    queue text DEFAULT 'default'::text NOT NULL,
    tags character varying(255)[] DEFAULT '{}'::character varying[] NOT NULL,
    unique_key bytea,
    unique_states bit(8),
    CONSTRAINT finalized_or_finalized_at_null CHECK ((((finalized_at IS NULL) AND (state <> ALL (ARRAY['cancelled'::public.river_job_state, 'completed'::public.river_job_state, 'discarded'::public.river_job_state]))) OR ((finalized_at IS NOT NULL) AND (state = ANY (ARRAY['cancelled'::public.river_job_state, 'completed'::public.river_job_state, 'discarded'::public.river_job_state]))))),
    CONSTRAINT kind_length CHECK (((char_length(kind) > 0) AND (char_length(kind) < 128))),
    CONSTRAINT max_attempts_is_positive CHECK ((max_attempts > 0)),
    CONSTRAINT priority_in_range CHECK (((priority >= 1) AND (priority <= 4))),
    CONSTRAINT queue_length CHECK (((char_length(queue) > 0) AND (char_length(queue) < 128)))
);


--
-- Name: river_job_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.river_job_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: river_job_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.river_job_id_seq OWNED BY public.river_job.id;


--
-- Name: river_leader; Type: TABLE; Schema: public; Owner: -
--

CREATE UNLOGGED TABLE public.river_leader (
    elected_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    leader_id text NOT NULL,
    name text DEFAULT 'default'::text NOT NULL,
    CONSTRAINT leader_id_length CHECK (((char_length(leader_id) > 0) AND (char_length(leader_id) < 128))),
    CONSTRAINT name_length CHECK ((name = 'default'::text))
);


--
-- Name: river_migration; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.river_migration (
    line text NOT NULL,
    version bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT line_length CHECK (((char_length(line) > 0) AND (char_length(line) < 128))),
    CONSTRAINT version_gte_1 CHECK ((version >= 1))
);


--
-- Name: river_queue; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.river_queue (
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    paused_at timestamp with time zone,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: run_units; Type: TABLE; Schema: public; Owner: -
--

CREATE UNLOGGED TABLE public.run_units (
    run_id bigint NOT NULL,
    stage text NOT NULL,
    seq integer NOT NULL,
    result bytea,
    counts jsonb DEFAULT '{}'::jsonb NOT NULL,
    error text,
    worker text NOT NULL,
    seconds double precision DEFAULT 0 NOT NULL,
    done_at timestamp with time zone DEFAULT now() NOT NULL
);
ALTER TABLE ONLY public.run_units ALTER COLUMN result SET STORAGE EXTERNAL;


--
-- Name: sandbox_cards; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.sandbox_cards (
    token text NOT NULL,
    behaviour text NOT NULL,
    expiry_month smallint NOT NULL,
    expiry_year smallint NOT NULL,
    charges integer DEFAULT 0 NOT NULL
);


--
-- Name: sandbox_requests; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.sandbox_requests (
    idempotency_key text NOT NULL,
    request text NOT NULL,
    kind text NOT NULL,
    amount numeric NOT NULL,
    currency character(3) NOT NULL,
    status text NOT NULL,
    decline_code text DEFAULT ''::text NOT NULL,
    hard_decline boolean DEFAULT false NOT NULL,
    reference text NOT NULL,
    answered boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT sandbox_requests_kind_check CHECK ((kind = ANY (ARRAY['charge'::text, 'refund'::text])))
);


--
-- Name: subscriptions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.subscriptions (
    subscription_id text NOT NULL COLLATE pg_catalog."C",
    customer_id text NOT NULL COLLATE pg_catalog."C",
    sku text NOT NULL COLLATE pg_catalog."C",
    start_date date NOT NULL,
    end_date date,
    CONSTRAINT subscriptions_check CHECK (((end_date IS NULL) OR (end_date >= start_date)))
);


--
-- Name: tax_rates; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tax_rates (
    country character(2) NOT NULL,
    effective_from date,
    rate numeric NOT NULL,
    CONSTRAINT tax_rates_country_check CHECK ((country ~ '^[A-Z]{2}$'::text)),
    CONSTRAINT tax_rates_rate_check CHECK (((rate >= (0)::numeric) AND (rate <= (1)::numeric)))
);


--
-- Name: unbilled_charges; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.unbilled_charges (
    account_id text NOT NULL COLLATE pg_catalog."C",
    billing text NOT NULL,
    window_start date NOT NULL,
    window_end date NOT NULL,
    currency character(3) NOT NULL,
    lines integer NOT NULL,
    subtotal numeric NOT NULL,
    as_of timestamp with time zone NOT NULL,
    CONSTRAINT unbilled_charges_billing_check CHECK ((billing = ANY (ARRAY['anniversary'::text, 'calendar'::text])))
);


--
-- Name: usage_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.usage_events (
    event_id text NOT NULL COLLATE pg_catalog."C",
    subscription_id text NOT NULL COLLATE pg_catalog."C",
    quantity numeric NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    ingest_xid xid8 DEFAULT pg_current_xact_id(),
    CONSTRAINT usage_events_event_id_check CHECK ((event_id <> ''::text)),
    CONSTRAINT usage_events_quantity_check CHECK ((quantity >= (0)::numeric))
);


--
-- Name: river_client; Type: TABLE; Schema: river_units; Owner: -
--

CREATE UNLOGGED TABLE river_units.river_client (
    id text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    paused_at timestamp with time zone,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT name_length CHECK (((char_length(id) > 0) AND (char_length(id) < 128)))
);


--
-- Name: river_client_queue; Type: TABLE; Schema: river_units; Owner: -
--

CREATE UNLOGGED TABLE river_units.river_client_queue (
    river_client_id text NOT NULL,
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    max_workers bigint DEFAULT 0 NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    num_jobs_completed bigint DEFAULT 0 NOT NULL,
    num_jobs_running bigint DEFAULT 0 NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT name_length CHECK (((char_length(name) > 0) AND (char_length(name) < 128))),
    CONSTRAINT num_jobs_completed_zero_or_positive CHECK ((num_jobs_completed >= 0)),
    CONSTRAINT num_jobs_running_zero_or_positive CHECK ((num_jobs_running >= 0))
);


--
-- Name: river_job; Type: TABLE; Schema: river_units; Owner: -
--

CREATE TABLE river_units.river_job (
    id bigint NOT NULL,
    state river_units.river_job_state DEFAULT 'available'::river_units.river_job_state NOT NULL,
    attempt smallint DEFAULT 0 NOT NULL,
    max_attempts smallint NOT NULL,
    attempted_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    finalized_at timestamp with time zone,
    scheduled_at timestamp with time zone DEFAULT now() NOT NULL,
    priority smallint DEFAULT 1 NOT NULL,
    args jsonb NOT NULL,
    attempted_by text[],
    errors jsonb[],
    kind text NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    queue text DEFAULT 'default'::text NOT NULL,
    tags character varying(255)[] DEFAULT '{}'::character varying[] NOT NULL,
    unique_key bytea,
    unique_states bit(8),
    CONSTRAINT finalized_or_finalized_at_null CHECK ((((finalized_at IS NULL) AND (state <> ALL (ARRAY['cancelled'::river_units.river_job_state, 'completed'::river_units.river_job_state, 'discarded'::river_units.river_job_state]))) OR ((finalized_at IS NOT NULL) AND (state = ANY (ARRAY['cancelled'::river_units.river_job_state, 'completed'::river_units.river_job_state, 'discarded'::river_units.river_job_state]))))),
    CONSTRAINT kind_length CHECK (((char_length(kind) > 0) AND (char_length(kind) < 128))),
    CONSTRAINT max_attempts_is_positive CHECK ((max_attempts > 0)),
    CONSTRAINT priority_in_range CHECK (((priority >= 1) AND (priority <= 4))),
    CONSTRAINT queue_length CHECK (((char_length(queue) > 0) AND (char_length(queue) < 128)))
);


--
-- Name: river_job_id_seq; Type: SEQUENCE; Schema: river_units; Owner: -
--

CREATE SEQUENCE river_units.river_job_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: river_job_id_seq; Type: SEQUENCE OWNED BY; Schema: river_units; Owner: -
--

ALTER SEQUENCE river_units.river_job_id_seq OWNED BY river_units.river_job.id;


--
-- Name: river_leader; Type: TABLE; Schema: river_units; Owner: -
--

CREATE UNLOGGED TABLE river_units.river_leader (
    elected_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    leader_id text NOT NULL,
    name text DEFAULT 'default'::text NOT NULL,
    CONSTRAINT leader_id_length CHECK (((char_length(leader_id) > 0) AND (char_length(leader_id) < 128))),
    CONSTRAINT name_length CHECK ((name = 'default'::text))
);


--
-- Name: river_migration; Type: TABLE; Schema: river_units; Owner: -
--

CREATE TABLE river_units.river_migration (
    line text NOT NULL,
    version bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT line_length CHECK (((char_length(line) > 0) AND (char_length(line) < 128))),
    CONSTRAINT version_gte_1 CHECK ((version >= 1))
);


--
-- Name: river_queue; Type: TABLE; Schema: river_units; Owner: -
--

CREATE TABLE river_units.river_queue (
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    paused_at timestamp with time zone,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: river_job id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_job ALTER COLUMN id SET DEFAULT nextval('public.river_job_id_seq'::regclass);


--
-- Name: river_job id; Type: DEFAULT; Schema: river_units; Owner: -
--

ALTER TABLE ONLY river_units.river_job ALTER COLUMN id SET DEFAULT nextval('river_units.river_job_id_seq'::regclass);


--
-- Data for Name: access_tokens; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.access_tokens (token_id, kind, secret_hash, role, account_id, label, parent_id, created_at, expires_at, used_at, revoked_at) FROM stdin;
\.


--
-- Data for Name: accounts; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.accounts (account_id, name, country, currency, billing_day, email) FROM stdin;
P1	Pinewood Software	US	USD	15	billing@pinewood.example
M1	Meridian Marketplace	GB	GBP	1	accounts@meridian.example
U1	Upstream Metrics	US	USD	1	finance@upstream.example
\.


--
-- Data for Name: audit_log; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.audit_log (entry_id, at, actor, role, account_id, remote_addr, action, object, outcome) FROM stdin;
\.


--
-- Data for Name: billing_day_changes; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.billing_day_changes (account_id, effective_from, previous_day, billing_day, changed_at) FROM stdin;
\.


--
-- Data for Name: closed_windows; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.closed_windows (account_id, billing, window_start, window_end, closes_on, run_id, closed_at, rerun_at, orders_seen, usage_seen) FROM stdin;
P1	anniversary	2026-05-15	2026-06-14	2026-06-15	1	2026-12-06 18:50:38.662129+00	\N	795:795:	790:790:
U1	anniversary	2026-06-01	2026-06-30	2026-07-01	1	2026-12-06 18:50:38.682181+00	\N	794:794:	790:790:
M1	calendar	2026-06-01	2026-06-30	2026-07-08	1	2026-12-06 18:50:38.687938+00	\N	797:797:	790:790:
P1	anniversary	2026-06-15	2026-07-14	2026-07-15	1	2026-12-06 18:50:38.691428+00	\N	799:801:799	790:790:
U1	anniversary	2026-07-01	2026-07-31	2026-08-01	1	2026-12-06 18:50:38.694556+00	\N	799:801:799	790:790:
M1	calendar	2026-07-01	2026-07-31	2026-08-08	1	2026-12-06 18:50:38.697253+00	\N	806:806:	790:790:
\.


--
-- Data for Name: customers; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.customers (customer_id, account_id, name, country, currency) FROM stdin;
C1	P1	Alder & Sons	US	USD
C2	P1	Birch Labs	US	USD
C3	P1	Cedar Analytics	US	USD
C4	P1	Dogwood Design	US	USD
M-DE	M1	Eichenbaum GmbH	DE	EUR
M-GB	M1	Hawthorn Ltd	GB	GBP
M-US	M1	Juniper Inc	US	USD
U-C1	U1	Kestrel Apps	US	USD
\.


--
-- Data for Name: derived_imports; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.derived_imports (xid) FROM stdin;
771
\.


--
-- Data for Name: first_activity; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.first_activity (account_id, billing, first_date) FROM stdin;
M1	calendar	2026-06-01
P1	anniversary	2026-06-11
U1	anniversary	2026-06-01
\.


--
-- Data for Name: gateway_attempts; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.gateway_attempts (attempt_id, idempotency_key, request, purpose, account_id, currency, amount, invoice_number, payment_method_id, method, method_label, attempt_no, attempted_at, status, decline_code, hard_decline, gateway_reference, payment_id, settled_at) FROM stdin;
1	auto_INV-2026-000001_1	auto_charge invoice=INV-2026-000001 attempt=1 amount=24.00 card=1	auto_charge	P1	USD	24.00	INV-2026-000001	1	card_on_file	visa ending 4242	1	2026-08-08 00:00:00+00	succeeded		f	ch_sbx_d4adb5bacdb4409c36e786e0	PAY-1	2026-12-06 18:50:38.778086+00
2	auto_INV-2026-000006_1	auto_charge invoice=INV-2026-000006 attempt=1 amount=24.00 card=1	auto_charge	P1	USD	24.00	INV-2026-000006	1	card_on_file	visa ending 4242	1	2026-08-08 00:00:00+00	succeeded		f	ch_sbx_581d27451ece847c9c0e0947	PAY-2	2026-12-06 18:50:38.802642+00
\.


--
-- Data for Name: goose_db_version; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.goose_db_version (id, version_id, is_applied, tstamp) FROM stdin;
1	0	t	2026-12-06 18:50:38.118788
2	1	t	2026-12-06 18:50:38.134944
3	2	t	2026-12-06 18:50:38.222603
4	3	t	2026-12-06 18:50:38.244797
5	4	t	2026-12-06 18:50:38.245841
6	5	t	2026-12-06 18:50:38.246512
7	6	t	2026-12-06 18:50:38.251089
8	7	t	2026-12-06 18:50:38.298252
9	8	t	2026-12-06 18:50:38.300865
10	9	t	2026-12-06 18:50:38.318591
11	10	t	2026-12-06 18:50:38.319691
12	11	t	2026-12-06 18:50:38.332757
13	12	t	2026-12-06 18:50:38.335576
14	13	t	2026-12-06 18:50:38.341033
15	14	t	2026-12-06 18:50:38.342625
16	15	t	2026-12-06 18:50:38.347467
\.


--
-- Data for Name: imports; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.imports (import_id, kind, file_name, file_sha256, rows_read, rows_added, imported_at) FROM stdin;
1	accounts	accounts.csv	27dba18bc2d7e8a2b9fef327c028d291973f2e8a60f831feee1a47ab8d7fc73a	3	3	2026-12-06 18:50:38.448165+00
2	customers	customers.csv	0ddb8ff11f60db824871d9e9abdd6dadb8b589759bdf87acc18c9b61673d82ae	8	8	2026-12-06 18:50:38.469084+00
3	products	products.csv	0ec55ef3b72f66d1960a8ed25de332145417154fd0fe24698747d8b22729304b	4	4	2026-12-06 18:50:38.490957+00
4	prices	prices.csv	ec6f6f1f5e2d387afbc91b7b08b484f55f2eae6013b0fa08106a35bafbcb3224	10	10	2026-12-06 18:50:38.505612+00
5	tax-rates	tax-rates.csv	89e8d7d45dc53c5b2c2bd677bf8b18e5e2d171b6da7a103d8f2858480321c50a	3	3	2026-12-06 18:50:38.527374+00
6	orders	orders.csv	2ae3b8e15bc0658fa421c847cf1cb4b8b5eab9cfb31a94b7962f9e44687e272b	13	13	2026-12-06 18:50:38.541371+00
7	usage	usage.csv	b3e92ac816ec41d58aae6f7804bfa1b2f37088edc6e6637a1d5656934c01c86c	40	40	2026-12-06 18:50:38.559792+00
\.


--
-- Data for Name: ingest_batches; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.ingest_batches (xid, kind, first_activity, last_activity, received_at) FROM stdin;
771	orders	2026-06-01	2026-06-20	2026-12-06 18:50:38.541371+00
774	usage	2026-06-01	2026-07-01	2026-12-06 18:50:38.559792+00
\.


--
-- Data for Name: invoice_files; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.invoice_files (invoice_number, kind, path, sha256, written_at, size, modified_ns) FROM stdin;
INV-2026-000001	reconciliation	/tmp/fixpg.Ut08/out/P1/2026-05-15/P1_2026-05-15_USD_INV-2026-000001_reconciliation.xlsx	2e5f670003ae0ef3550ec1bfcd6cc5c6a32bf852e7ce5ee083ea19eb06666c9e	2026-12-06 18:50:38.740643+00	32620	1796583038731448639
INV-2026-000001	invoice	/tmp/fixpg.Ut08/out/P1/2026-05-15/P1_2026-05-15_USD_INV-2026-000001_invoice.xlsx	07d87f4f89efd7f7d20ddfe49df3cbe4fba4996e0ccfd7fd9bc23c2c4e1a6f11	2026-12-06 18:50:38.740643+00	20888	1796583038735448639
INV-2026-000002	reconciliation	/tmp/fixpg.Ut08/out/U1/2026-06-01/U1_2026-06-01_USD_INV-2026-000002_reconciliation.xlsx	4a61dd9c636f073b539c8d25b0b1efb59523180bc7900150989695dd45a8c94b	2026-12-06 18:50:38.740643+00	20962	1796583038735448639
INV-2026-000002	invoice	/tmp/fixpg.Ut08/out/U1/2026-06-01/U1_2026-06-01_USD_INV-2026-000002_invoice.xlsx	d1ea177032b18288015ed35ebc64def70d4df59a88d5bb8bd9e3cdd557039270	2026-12-06 18:50:38.740643+00	13900	1796583038735448639
INV-2026-000003	reconciliation	/tmp/fixpg.Ut08/out/M1/2026-06-01/M1_2026-06-01_EUR_INV-2026-000003_reconciliation.xlsx	5e833f5d87445a78629b618a7eafe35d82bbf923e378dc68b9b3259f927834cb	2026-12-06 18:50:38.740643+00	20917	1796583038737753275
INV-2026-000003	invoice	/tmp/fixpg.Ut08/out/M1/2026-06-01/M1_2026-06-01_EUR_INV-2026-000003_invoice.xlsx	daf8fc0bd62f8c95264a78ff5ac3c85a6e376d4729799fc48aaa8112e30dc2f1	2026-12-06 18:50:38.740643+00	13974	1796583038737753275
INV-2026-000004	reconciliation	/tmp/fixpg.Ut08/out/M1/2026-06-01/M1_2026-06-01_GBP_INV-2026-000004_reconciliation.xlsx	043fc8ee946562d24fe388dfecf15f65c287c73b88129a600437a455f4c756ba	2026-12-06 18:50:38.740643+00	20911	1796583038737753275
INV-2026-000004	invoice	/tmp/fixpg.Ut08/out/M1/2026-06-01/M1_2026-06-01_GBP_INV-2026-000004_invoice.xlsx	2b295739d48a32dd86add5ca79ea623b611539c5cd5f3b23a7a1598dadf2d2fa	2026-12-06 18:50:38.740643+00	13971	1796583038737753275
INV-2026-000005	reconciliation	/tmp/fixpg.Ut08/out/M1/2026-06-01/M1_2026-06-01_USD_INV-2026-000005_reconciliation.xlsx	ef51c87b88530ea17c79fe9f0fbbda907ad09d0de4175bdd2e86b72d08d6f22f	2026-12-06 18:50:38.740643+00	21855	1796583038737753275
INV-2026-000005	invoice	/tmp/fixpg.Ut08/out/M1/2026-06-01/M1_2026-06-01_USD_INV-2026-000005_invoice.xlsx	76cfb8e8b9ed093daf737652f74b100a2340799c8a420c5f769b332ff832e141	2026-12-06 18:50:38.740643+00	14821	1796583038737753275
INV-2026-000006	reconciliation	/tmp/fixpg.Ut08/out/P1/2026-06-15/P1_2026-06-15_USD_INV-2026-000006_reconciliation.xlsx	eb16cc909795ee4d5f27c977803e5eca448d17100615c1320b8fb9b0d7e6e888	2026-12-06 18:50:38.740643+00	24283	1796583038737753275
INV-2026-000006	invoice	/tmp/fixpg.Ut08/out/P1/2026-06-15/P1_2026-06-15_USD_INV-2026-000006_invoice.xlsx	4cc4c29e442a623ca093aa618d699c0b47a86e402fb9c7b05e6af669064f7981	2026-12-06 18:50:38.740643+00	15422	1796583038737753275
INV-2026-000007	reconciliation	/tmp/fixpg.Ut08/out/U1/2026-07-01/U1_2026-07-01_USD_INV-2026-000007_reconciliation.xlsx	e2593723d555e7a9a202d61621f9358d122595478449723d7aedcb5717f30f24	2026-12-06 18:50:38.740643+00	20908	1796583038737753275
INV-2026-000007	invoice	/tmp/fixpg.Ut08/out/U1/2026-07-01/U1_2026-07-01_USD_INV-2026-000007_invoice.xlsx	d7580ad3eda9df64b7d7c4e88028aa4d992a60dad9d2ec40cb7b0597aba38c46	2026-12-06 18:50:38.740643+00	13887	1796583038737753275
INV-2026-000008	reconciliation	/tmp/fixpg.Ut08/out/M1/2026-07-01/M1_2026-07-01_EUR_INV-2026-000008_reconciliation.xlsx	4dff49d6e9a762a9820231f910a45742c1c25ff6677faa1e3420acc98e56828a	2026-12-06 18:50:38.740643+00	20869	1796583038739306014
INV-2026-000008	invoice	/tmp/fixpg.Ut08/out/M1/2026-07-01/M1_2026-07-01_EUR_INV-2026-000008_invoice.xlsx	263d111d09e45ead17a6f063b39a4812489aab25a9549ffce849f09af28d6693	2026-12-06 18:50:38.740643+00	13928	1796583038739306014
INV-2026-000009	reconciliation	/tmp/fixpg.Ut08/out/M1/2026-07-01/M1_2026-07-01_GBP_INV-2026-000009_reconciliation.xlsx	03bf318f7cd181f945d8bc546fe5f79fd704b7e204d445189b62b8ea62a8ba02	2026-12-06 18:50:38.740643+00	20863	1796583038739306014
INV-2026-000009	invoice	/tmp/fixpg.Ut08/out/M1/2026-07-01/M1_2026-07-01_GBP_INV-2026-000009_invoice.xlsx	2e7350c852195426af9d38d3d5b8204966d52c09630a352af745c972ed15a17d	2026-12-06 18:50:38.740643+00	13925	1796583038739306014
INV-2026-000010	reconciliation	/tmp/fixpg.Ut08/out/M1/2026-07-01/M1_2026-07-01_USD_INV-2026-000010_reconciliation.xlsx	847a2217f79fd01f1f89a808f10829b3404779ed4dbf0f9a25ac903c613c36fe	2026-12-06 18:50:38.740643+00	20843	1796583038739306014
INV-2026-000010	invoice	/tmp/fixpg.Ut08/out/M1/2026-07-01/M1_2026-07-01_USD_INV-2026-000010_invoice.xlsx	0f3f03ae30442482e4982214aba690bba1741e89dedb8e54117db35c80569ce1	2026-12-06 18:50:38.740643+00	13913	1796583038739306014
\.


--
-- Data for Name: invoice_lines; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.invoice_lines (invoice_number, line_no, customer_id, subscription_id, order_id, sku, charge_type, charge_start, charge_end, activity_date, unit_price, effective_unit_price, quantity, amount, tax, total, days_charged, term_days, detail, reversal) FROM stdin;
INV-2026-000001	1	C1	S1	O-1001	LIC-STD	new	2026-06-11	2026-07-10	2026-06-11	4	4	1	4	0	4	\N	\N	\N	f
INV-2026-000001	2	C1	S1	O-1002	LIC-STD	addQuantity	2026-06-11	2026-07-10	2026-06-11	4	-4	1	-4	0	-4	30	30	\N	f
INV-2026-000001	3	C1	S1	O-1002	LIC-STD	addQuantity	2026-06-11	2026-07-10	2026-06-11	4	4	2	8	0	8	30	30	\N	f
INV-2026-000001	4	C2	S2	O-2001	LIC-STD	new	2026-06-11	2026-07-10	2026-06-11	4	4	1	4	0	4	\N	\N	\N	f
INV-2026-000001	5	C3	S3	O-3001	LIC-STD	new	2026-06-11	2026-07-10	2026-06-11	4	4	2	8	0	8	\N	\N	\N	f
INV-2026-000001	6	C3	S3	O-3002	LIC-STD	removeQuantity	2026-06-11	2026-07-10	2026-06-11	4	-4	2	-8	0	-8	30	30	\N	f
INV-2026-000001	7	C3	S3	O-3002	LIC-STD	removeQuantity	2026-06-11	2026-07-10	2026-06-11	4	4	1	4	0	4	30	30	\N	f
INV-2026-000001	8	C4	S4	O-4001	LIC-STD	new	2026-06-11	2026-07-10	2026-06-11	4	4	2	8	0	8	\N	\N	\N	f
INV-2026-000001	9	C2	S2	O-2002	LIC-STD	addQuantity	2026-06-12	2026-07-10	2026-06-12	4	-3.87	1	-3.87	0	-3.87	29	30	\N	f
INV-2026-000001	10	C2	S2	O-2002	LIC-STD	addQuantity	2026-06-12	2026-07-10	2026-06-12	4	3.87	2	7.74	0	7.74	29	30	\N	f
INV-2026-000001	11	C4	S4	O-4002	LIC-STD	removeQuantity	2026-06-12	2026-07-10	2026-06-12	4	-3.87	2	-7.74	0	-7.74	29	30	\N	f
INV-2026-000001	12	C4	S4	O-4002	LIC-STD	removeQuantity	2026-06-12	2026-07-10	2026-06-12	4	3.87	1	3.87	0	3.87	29	30	\N	f
INV-2026-000002	1	U-C1	US-1	\N	API-CALLS	usage	2026-06-01	2026-06-30	2026-06-01	0.01	0.007651	12070	92.35	0	92.35	\N	\N	1000 × 0.01 = 10; 9000 × 0.008 = 72; 2070 × 0.005 = 10.35	f
INV-2026-000003	1	M-DE	MS-DE	O-5001	MKT-APP	new	2026-06-01	2026-06-30	2026-06-01	9	9	3	27	5.4	32.4	\N	\N	\N	f
INV-2026-000004	1	M-GB	MS-GB	O-5002	MKT-APP	new	2026-06-05	2026-07-04	2026-06-05	8	8	2	16	3.2	19.2	\N	\N	\N	f
INV-2026-000005	1	M-US	MS-US	O-5003	MKT-APP	new	2026-06-10	2026-07-09	2026-06-10	10	10	1	10	2	12	\N	\N	\N	f
INV-2026-000005	2	M-US	MR-US	O-5004	RES-1	new	2026-06-20	2026-06-20	2026-06-20	130	130	1	130	26	156	\N	\N	\N	f
INV-2026-000006	1	C1	S1	\N	LIC-STD	renew	2026-07-11	2026-08-10	2026-07-11	4	4	2	8	0	8	\N	\N	\N	f
INV-2026-000006	2	C2	S2	\N	LIC-STD	renew	2026-07-11	2026-08-10	2026-07-11	4	4	2	8	0	8	\N	\N	\N	f
INV-2026-000006	3	C3	S3	\N	LIC-STD	renew	2026-07-11	2026-08-10	2026-07-11	4	4	1	4	0	4	\N	\N	\N	f
INV-2026-000006	4	C4	S4	\N	LIC-STD	renew	2026-07-11	2026-08-10	2026-07-11	4	4	1	4	0	4	\N	\N	\N	f
INV-2026-000007	1	U-C1	US-1	\N	API-CALLS	usage	2026-07-01	2026-07-31	2026-07-01	0.01	0.01	75	0.75	0	0.75	\N	\N	75 × 0.01 = 0.75	f
INV-2026-000008	1	M-DE	MS-DE	\N	MKT-APP	renew	2026-07-01	2026-07-31	2026-07-01	9	9	3	27	5.4	32.4	\N	\N	\N	f
INV-2026-000009	1	M-GB	MS-GB	\N	MKT-APP	renew	2026-07-05	2026-08-04	2026-07-05	8	8	2	16	3.2	19.2	\N	\N	\N	f
INV-2026-000010	1	M-US	MS-US	\N	MKT-APP	renew	2026-07-10	2026-08-09	2026-07-10	10	10	1	10	2	12	\N	\N	\N	f
\.


--
-- Data for Name: invoice_series; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.invoice_series (series, last_seq) FROM stdin;
INV-2026	10
\.


--
-- Data for Name: invoices; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.invoices (number, series, seq, account_id, type, billing, currency, window_start, window_end, issue_date, tax_rate, subtotal, tax, total, adjusts, finalized_at, run_id, reason) FROM stdin;
INV-2026-000001	INV-2026	1	P1	new	anniversary	USD	2026-05-15	2026-06-14	2026-06-15	0	24	0	24	\N	2026-12-06 18:50:38.662129+00	1	\N
INV-2026-000002	INV-2026	2	U1	new	anniversary	USD	2026-06-01	2026-06-30	2026-07-01	0	92.35	0	92.35	\N	2026-12-06 18:50:38.682181+00	1	\N
INV-2026-000003	INV-2026	3	M1	onetime	calendar	EUR	2026-06-01	2026-06-30	2026-07-08	0.2	27	5.4	32.4	\N	2026-12-06 18:50:38.687938+00	1	\N
INV-2026-000004	INV-2026	4	M1	onetime	calendar	GBP	2026-06-01	2026-06-30	2026-07-08	0.2	16	3.2	19.2	\N	2026-12-06 18:50:38.687938+00	1	\N
INV-2026-000005	INV-2026	5	M1	onetime	calendar	USD	2026-06-01	2026-06-30	2026-07-08	0.2	140	28	168	\N	2026-12-06 18:50:38.687938+00	1	\N
INV-2026-000006	INV-2026	6	P1	recurring	anniversary	USD	2026-06-15	2026-07-14	2026-07-15	0	24	0	24	\N	2026-12-06 18:50:38.691428+00	1	\N
INV-2026-000007	INV-2026	7	U1	recurring	anniversary	USD	2026-07-01	2026-07-31	2026-08-01	0	0.75	0	0.75	\N	2026-12-06 18:50:38.694556+00	1	\N
INV-2026-000008	INV-2026	8	M1	onetime	calendar	EUR	2026-07-01	2026-07-31	2026-08-08	0.2	27	5.4	32.4	\N	2026-12-06 18:50:38.697253+00	1	\N
INV-2026-000009	INV-2026	9	M1	onetime	calendar	GBP	2026-07-01	2026-07-31	2026-08-08	0.2	16	3.2	19.2	\N	2026-12-06 18:50:38.697253+00	1	\N
INV-2026-000010	INV-2026	10	M1	onetime	calendar	USD	2026-07-01	2026-07-31	2026-08-08	0.2	10	2	12	\N	2026-12-06 18:50:38.697253+00	1	\N
\.


--
-- Data for Name: ledger_entries; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.ledger_entries (entry_id, account_id, currency, kind, amount, invoice_number, payment_id, credit_number, recorded_at) FROM stdin;
1	P1	USD	invoice	24	INV-2026-000001	\N	\N	2026-12-06 18:50:38.662129+00
2	U1	USD	invoice	92.35	INV-2026-000002	\N	\N	2026-12-06 18:50:38.682181+00
3	M1	EUR	invoice	32.4	INV-2026-000003	\N	\N	2026-12-06 18:50:38.687938+00
4	M1	GBP	invoice	19.2	INV-2026-000004	\N	\N	2026-12-06 18:50:38.687938+00
5	M1	USD	invoice	168	INV-2026-000005	\N	\N	2026-12-06 18:50:38.687938+00
6	P1	USD	invoice	24	INV-2026-000006	\N	\N	2026-12-06 18:50:38.691428+00
7	U1	USD	invoice	0.75	INV-2026-000007	\N	\N	2026-12-06 18:50:38.694556+00
8	M1	EUR	invoice	32.4	INV-2026-000008	\N	\N	2026-12-06 18:50:38.697253+00
9	M1	GBP	invoice	19.2	INV-2026-000009	\N	\N	2026-12-06 18:50:38.697253+00
10	M1	USD	invoice	12	INV-2026-000010	\N	\N	2026-12-06 18:50:38.697253+00
11	P1	USD	payment	24.00	\N	PAY-1	\N	2026-12-06 18:50:38.778086+00
12	P1	USD	allocation	24.00	INV-2026-000001	PAY-1	\N	2026-12-06 18:50:38.778086+00
13	P1	USD	payment	24.00	\N	PAY-2	\N	2026-12-06 18:50:38.802642+00
14	P1	USD	allocation	24.00	INV-2026-000006	PAY-2	\N	2026-12-06 18:50:38.802642+00
\.


--
-- Data for Name: ledger_open_items; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.ledger_open_items (entry_id, account_id, currency, kind, key) FROM stdin;
2	U1	USD	invoice	INV-2026-000002
3	M1	EUR	invoice	INV-2026-000003
4	M1	GBP	invoice	INV-2026-000004
5	M1	USD	invoice	INV-2026-000005
7	U1	USD	invoice	INV-2026-000007
8	M1	EUR	invoice	INV-2026-000008
9	M1	GBP	invoice	INV-2026-000009
10	M1	USD	invoice	INV-2026-000010
\.


--
-- Data for Name: orders; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.orders (order_id, subscription_id, customer_id, sku, action, quantity, effective_date, received_at, ingest_xid) FROM stdin;
O-1001	S1	C1	LIC-STD	new	1	2026-06-11	2026-12-06 18:50:38.541371+00	771
O-1002	S1	C1	LIC-STD	addQuantity	2	2026-06-11	2026-12-06 18:50:38.541371+00	771
O-2001	S2	C2	LIC-STD	new	1	2026-06-11	2026-12-06 18:50:38.541371+00	771
O-2002	S2	C2	LIC-STD	addQuantity	2	2026-06-12	2026-12-06 18:50:38.541371+00	771
O-3001	S3	C3	LIC-STD	new	2	2026-06-11	2026-12-06 18:50:38.541371+00	771
O-3002	S3	C3	LIC-STD	removeQuantity	1	2026-06-11	2026-12-06 18:50:38.541371+00	771
O-4001	S4	C4	LIC-STD	new	2	2026-06-11	2026-12-06 18:50:38.541371+00	771
O-4002	S4	C4	LIC-STD	removeQuantity	1	2026-06-12	2026-12-06 18:50:38.541371+00	771
O-5001	MS-DE	M-DE	MKT-APP	new	3	2026-06-01	2026-12-06 18:50:38.541371+00	771
O-5002	MS-GB	M-GB	MKT-APP	new	2	2026-06-05	2026-12-06 18:50:38.541371+00	771
O-5003	MS-US	M-US	MKT-APP	new	1	2026-06-10	2026-12-06 18:50:38.541371+00	771
O-5004	MR-US	M-US	RES-1	new	1	2026-06-20	2026-12-06 18:50:38.541371+00	771
O-6001	US-1	U-C1	API-CALLS	new	0	2026-06-01	2026-12-06 18:50:38.541371+00	771
\.


--
-- Data for Name: outbox; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.outbox (message_id, account_id, recipient, subject, body, created_at, sent_at, attempts, next_attempt_at, last_error) FROM stdin;
<card-1-valid-1796583038@billing>	P1	billing@pinewood.example	Your visa ending 4242 is now valid	The visa ending 4242 on file for account P1 changed from pending to valid.	2026-12-06 18:50:38.580208+00	\N	0	2026-12-06 18:50:38.580208+00	
<payment-PAY-1@billing>	P1	billing@pinewood.example	Payment received: 24.00 USD	We received your payment of 24.00 USD by visa ending 4242 (reference PAY-1). Thank you.	2026-12-06 18:50:38.778086+00	\N	0	2026-12-06 18:50:38.778086+00	
<payment-PAY-2@billing>	P1	billing@pinewood.example	Payment received: 24.00 USD	We received your payment of 24.00 USD by visa ending 4242 (reference PAY-2). Thank you.	2026-12-06 18:50:38.802642+00	\N	0	2026-12-06 18:50:38.802642+00	
\.


--
-- Data for Name: payment_methods; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.payment_methods (payment_method_id, account_id, gateway_token, brand, last4, expiry_month, expiry_year, status, created_at, holder_name, status_reason, is_default, removed_at, updated_at) FROM stdin;
1	P1	tok_sbx_f86d24443a29bb5c066dc1f0	visa	4242	12	2030	valid	2026-12-06 18:50:38.577539+00	Pat Pine		t	\N	2026-12-06 18:50:38.580208+00
\.


--
-- Data for Name: payments; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.payments (payment_id, account_id, currency, amount, method, gateway_reference, paid_at, method_label) FROM stdin;
PAY-1	P1	USD	24.00	card_on_file	ch_sbx_d4adb5bacdb4409c36e786e0	2026-08-08 00:00:00+00	visa ending 4242
PAY-2	P1	USD	24.00	card_on_file	ch_sbx_581d27451ece847c9c0e0947	2026-08-08 00:00:00+00	visa ending 4242
\.


--
-- Data for Name: pipeline_runs; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.pipeline_runs (run_id, as_of, stage, job, started_at, finished_at, status, counts, error) FROM stdin;
1	2026-08-08 00:00:00+00	all	\N	2026-12-06 18:50:38.603307+00	2026-12-06 18:50:38.815765+00	succeeded	{"held": [{"reason": "usage for a subscription no new order has created", "records": 1, "account_id": "(unknown subscription)", "window_start": "2026-06-01"}], "late": null, "as_of": "2026-08-08T00:00:00Z", "files": 20, "lines": 25, "stage": "all", "run_id": 1, "totals": {"EUR": "64.80", "GBP": "38.40", "USD": "321.10"}, "collect": {"charged": 2, "settled": 0, "unknown": 0, "declined": 0, "succeeded": 2, "hard_declined": 0}, "seconds": {"emit": 0.048616914, "rate": 0.020285419, "close": 0.061881491, "collect": 0.060005438, "extract": 0.007875262, "emit_units": 0.023842563, "rate_units": 0.00327317, "close_units": 0.021576233000000004, "close_writes": 0.026937434, "emit_prepare": 0.001538889, "rate_prepare": 0.005189455, "close_prepare": 0.004892448, "collect_units": 0.034831275999999994, "collect_prepare": 0.005458057}, "invoices": 10, "rated_lines": 7, "subscriptions": 9, "windows_closed": 6, "units_by_worker": [{"units": 10, "worker": "vm:23650"}], "unbilled_windows": 4, "untaxed_countries": null}	\N
\.


--
-- Data for Name: prices; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.prices (sku, currency, from_quantity, effective_from, unit_price) FROM stdin;
API-CALLS	USD	0	\N	0.010
API-CALLS	USD	1000	\N	0.008
API-CALLS	USD	10000	\N	0.005
LIC-STD	USD	0	\N	4.00
MKT-APP	EUR	0	\N	9.00
MKT-APP	GBP	0	\N	8.00
MKT-APP	USD	0	\N	10.00
RES-1	EUR	0	\N	120.00
RES-1	GBP	0	\N	100.00
RES-1	USD	0	\N	130.00
\.


--
-- Data for Name: products; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.products (sku, name, kind, billing) FROM stdin;
LIC-STD	Standard licence seat	license	anniversary
MKT-APP	Marketplace app subscription	license	calendar
RES-1	Annual reservation	onetime	calendar
API-CALLS	API calls	usage	anniversary
\.


--
-- Data for Name: river_client; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.river_client (id, created_at, metadata, paused_at, updated_at) FROM stdin;
\.


--
-- Data for Name: river_client_queue; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.river_client_queue (river_client_id, name, created_at, max_workers, metadata, num_jobs_completed, num_jobs_running, updated_at) FROM stdin;
\.


--
-- Data for Name: river_job; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.river_job (id, state, attempt, max_attempts, attempted_at, created_at, finalized_at, scheduled_at, priority, args, attempted_by, errors, kind, metadata, queue, tags, unique_key, unique_states) FROM stdin;
1	available	0	25	\N	2026-12-06 18:50:38.581747+00	\N	2026-12-06 18:50:38.581747+00	1	{"message_id": "<card-1-valid-1796583038@billing>"}	\N	\N	send_email	{}	mail	{}	\\xba94972935a758ab8e8344eaed9d3b90117ef2761b75bb3cf1a4d0d862728b55	11110101
2	available	0	25	\N	2026-12-06 18:50:38.783848+00	\N	2026-12-06 18:50:38.783848+00	1	{"message_id": "<payment-PAY-1@billing>"}	\N	\N	send_email	{}	mail	{}	\\xf714b49f23e1f5f5616d9c4676899942c1e4be8ca2c7962827b347c259a648be	11110101
3	available	0	25	\N	2026-12-06 18:50:38.808989+00	\N	2026-12-06 18:50:38.808989+00	1	{"message_id": "<payment-PAY-2@billing>"}	\N	\N	send_email	{}	mail	{}	\\x6f5daf080daf5cf70bdb5c2269d4a99a697a321f40fa5d37c5a99639d33fd75d	11110101
\.


--
-- Data for Name: river_leader; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.river_leader (elected_at, expires_at, leader_id, name) FROM stdin;
\.


--
-- Data for Name: river_migration; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.river_migration (line, version, created_at) FROM stdin;
main	1	2026-12-06 18:50:38.396964+00
main	2	2026-12-06 18:50:38.396964+00
main	3	2026-12-06 18:50:38.396964+00
main	4	2026-12-06 18:50:38.396964+00
main	5	2026-12-06 18:50:38.396964+00
main	6	2026-12-06 18:50:38.396964+00
\.


--
-- Data for Name: river_queue; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.river_queue (name, created_at, metadata, paused_at, updated_at) FROM stdin;
\.


--
-- Data for Name: run_units; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.run_units (run_id, stage, seq, result, counts, error, worker, seconds, done_at) FROM stdin;
\.


--
-- Data for Name: sandbox_cards; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.sandbox_cards (token, behaviour, expiry_month, expiry_year, charges) FROM stdin;
tok_sbx_f86d24443a29bb5c066dc1f0	ok	12	2030	2
\.


--
-- Data for Name: sandbox_requests; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.sandbox_requests (idempotency_key, request, kind, amount, currency, status, decline_code, hard_decline, reference, answered, created_at) FROM stdin;
auto_INV-2026-000001_1	charge token=tok_sbx_f86d24443a29bb5c066dc1f0 paypal= amount=24 USD	charge	24.00	USD	succeeded		f	ch_sbx_d4adb5bacdb4409c36e786e0	t	2026-12-06 18:50:38.777093+00
auto_INV-2026-000006_1	charge token=tok_sbx_f86d24443a29bb5c066dc1f0 paypal= amount=24 USD	charge	24.00	USD	succeeded		f	ch_sbx_581d27451ece847c9c0e0947	t	2026-12-06 18:50:38.80158+00
\.


--
-- Data for Name: subscriptions; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.subscriptions (subscription_id, customer_id, sku, start_date, end_date) FROM stdin;
S1	C1	LIC-STD	2026-06-11	\N
MS-GB	M-GB	MKT-APP	2026-06-05	\N
MS-DE	M-DE	MKT-APP	2026-06-01	\N
S3	C3	LIC-STD	2026-06-11	\N
S4	C4	LIC-STD	2026-06-11	\N
MR-US	M-US	RES-1	2026-06-20	\N
S2	C2	LIC-STD	2026-06-11	\N
MS-US	M-US	MKT-APP	2026-06-10	\N
US-1	U-C1	API-CALLS	2026-06-01	\N
\.


--
-- Data for Name: tax_rates; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.tax_rates (country, effective_from, rate) FROM stdin;
US	\N	0
GB	\N	0.20
DE	\N	0.19
\.


--
-- Data for Name: unbilled_charges; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.unbilled_charges (account_id, billing, window_start, window_end, currency, lines, subtotal, as_of) FROM stdin;
M1	calendar	2026-08-01	2026-08-31	EUR	1	27	2026-08-08 00:00:00+00
M1	calendar	2026-08-01	2026-08-31	GBP	1	16	2026-08-08 00:00:00+00
M1	calendar	2026-08-01	2026-08-31	USD	1	10	2026-08-08 00:00:00+00
P1	anniversary	2026-07-15	2026-08-14	USD	4	24	2026-08-08 00:00:00+00
\.


--
-- Data for Name: usage_events; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.usage_events (event_id, subscription_id, quantity, occurred_at, received_at, ingest_xid) FROM stdin;
E-0001	US-1	400	2026-06-01 07:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0002	US-1	250	2026-06-02 14:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0003	US-1	800	2026-06-03 21:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0004	US-1	150	2026-06-04 04:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0005	US-1	150	2026-06-04 11:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0006	US-1	150	2026-06-05 18:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0007	US-1	400	2026-06-06 01:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0008	US-1	150	2026-06-07 08:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0009	US-1	250	2026-06-08 15:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0010	US-1	150	2026-06-08 22:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0011	US-1	150	2026-06-09 05:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0012	US-1	800	2026-06-10 12:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0013	US-1	800	2026-06-11 19:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0014	US-1	150	2026-06-11 02:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0015	US-1	250	2026-06-12 09:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0016	US-1	150	2026-06-13 16:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0017	US-1	800	2026-06-14 23:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0018	US-1	150	2026-06-15 06:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0019	US-1	150	2026-06-15 13:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0020	US-1	250	2026-06-16 20:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0021	US-1	150	2026-06-17 03:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0022	US-1	800	2026-06-18 10:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0023	US-1	150	2026-06-19 17:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0024	US-1	250	2026-06-19 00:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0025	US-1	150	2026-06-20 07:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0026	US-1	250	2026-06-21 14:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0027	US-1	400	2026-06-22 21:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0028	US-1	800	2026-06-22 04:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0029	US-1	250	2026-06-23 11:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0030	US-1	150	2026-06-24 18:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0031	US-1	400	2026-06-25 01:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0032	US-1	250	2026-06-26 08:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0033	US-1	150	2026-06-26 15:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0034	US-1	250	2026-06-27 22:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0035	US-1	400	2026-06-28 05:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0036	US-1	150	2026-06-29 12:15:00+00	2026-12-06 18:50:38.559792+00	774
E-0037	US-1	500	2026-06-30 23:59:59+00	2026-12-06 18:50:38.559792+00	774
E-0038	US-1	120	2026-06-30 23:30:00+00	2026-12-06 18:50:38.559792+00	774
E-0039	US-1	75	2026-07-01 00:30:00+00	2026-12-06 18:50:38.559792+00	774
E-0040	US-404	10	2026-06-15 12:00:00+00	2026-12-06 18:50:38.559792+00	774
\.


--
-- Data for Name: river_client; Type: TABLE DATA; Schema: river_units; Owner: -
--

COPY river_units.river_client (id, created_at, metadata, paused_at, updated_at) FROM stdin;
\.


--
-- Data for Name: river_client_queue; Type: TABLE DATA; Schema: river_units; Owner: -
--

COPY river_units.river_client_queue (river_client_id, name, created_at, max_workers, metadata, num_jobs_completed, num_jobs_running, updated_at) FROM stdin;
\.


--
-- Data for Name: river_job; Type: TABLE DATA; Schema: river_units; Owner: -
--

COPY river_units.river_job (id, state, attempt, max_attempts, attempted_at, created_at, finalized_at, scheduled_at, priority, args, attempted_by, errors, kind, metadata, queue, tags, unique_key, unique_states) FROM stdin;
1	completed	1	5	2026-12-06 18:50:38.62896+00	2026-12-06 18:50:38.625891+00	2026-12-06 18:50:38.636033+00	2026-12-06 18:50:38.625891+00	1	{"seq": 0, "as_of": "2026-08-08T00:00:00Z", "stage": "rate", "run_id": 1, "catalog": "8f9c0dd9955f56f6d8b30d5424981ff205f711af278f1b0ef9129fc79f62049a", "accounts": ["M1", "P1", "U1"]}	{vm_2026_12_06T18_50_38_600930}	\N	run_unit	{}	default	{}	\N	\N
2	completed	1	5	2026-12-06 18:50:38.647812+00	2026-12-06 18:50:38.645595+00	2026-12-06 18:50:38.659583+00	2026-12-06 18:50:38.645595+00	1	{"seq": 0, "as_of": "2026-08-08T00:00:00Z", "stage": "close", "run_id": 1, "catalog": "8f9c0dd9955f56f6d8b30d5424981ff205f711af278f1b0ef9129fc79f62049a", "windows": [{"end": "2026-06-14", "start": "2026-05-15", "closes": "2026-06-15", "billing": "anniversary", "account_id": "P1"}]}	{vm_2026_12_06T18_50_38_600930}	\N	run_unit	{}	default	{}	\N	\N
3	completed	1	5	2026-12-06 18:50:38.647812+00	2026-12-06 18:50:38.645595+00	2026-12-06 18:50:38.6559+00	2026-12-06 18:50:38.645595+00	1	{"seq": 1, "as_of": "2026-08-08T00:00:00Z", "stage": "close", "run_id": 1, "catalog": "8f9c0dd9955f56f6d8b30d5424981ff205f711af278f1b0ef9129fc79f62049a", "windows": [{"end": "2026-06-30", "start": "2026-06-01", "closes": "2026-07-01", "billing": "anniversary", "account_id": "U1"}]}	{vm_2026_12_06T18_50_38_600930}	\N	run_unit	{}	default	{}	\N	\N
9	completed	1	5	2026-12-06 18:50:38.767858+00	2026-12-06 18:50:38.764791+00	2026-12-06 18:50:38.790027+00	2026-12-06 18:50:38.764791+00	1	{"seq": 0, "as_of": "2026-08-08T00:00:00Z", "stage": "collect", "run_id": 1, "invoices": ["INV-2026-000001"]}	{vm_2026_12_06T18_50_38_600930}	\N	run_unit	{}	default	{}	\N	\N
4	completed	1	5	2026-12-06 18:50:38.657808+00	2026-12-06 18:50:38.645595+00	2026-12-06 18:50:38.660969+00	2026-12-06 18:50:38.645595+00	1	{"seq": 2, "as_of": "2026-08-08T00:00:00Z", "stage": "close", "run_id": 1, "catalog": "8f9c0dd9955f56f6d8b30d5424981ff205f711af278f1b0ef9129fc79f62049a", "windows": [{"end": "2026-06-30", "start": "2026-06-01", "closes": "2026-07-08", "billing": "calendar", "account_id": "M1"}]}	{vm_2026_12_06T18_50_38_600930}	\N	run_unit	{}	default	{}	\N	\N
5	completed	1	5	2026-12-06 18:50:38.668501+00	2026-12-06 18:50:38.645595+00	2026-12-06 18:50:38.68213+00	2026-12-06 18:50:38.645595+00	1	{"seq": 3, "as_of": "2026-08-08T00:00:00Z", "stage": "close", "run_id": 1, "catalog": "8f9c0dd9955f56f6d8b30d5424981ff205f711af278f1b0ef9129fc79f62049a", "windows": [{"end": "2026-07-14", "start": "2026-06-15", "closes": "2026-07-15", "billing": "anniversary", "account_id": "P1"}]}	{vm_2026_12_06T18_50_38_600930}	\N	run_unit	{}	default	{}	\N	\N
6	completed	1	5	2026-12-06 18:50:38.668501+00	2026-12-06 18:50:38.645595+00	2026-12-06 18:50:38.681346+00	2026-12-06 18:50:38.645595+00	1	{"seq": 4, "as_of": "2026-08-08T00:00:00Z", "stage": "close", "run_id": 1, "catalog": "8f9c0dd9955f56f6d8b30d5424981ff205f711af278f1b0ef9129fc79f62049a", "windows": [{"end": "2026-07-31", "start": "2026-07-01", "closes": "2026-08-01", "billing": "anniversary", "account_id": "U1"}]}	{vm_2026_12_06T18_50_38_600930}	\N	run_unit	{}	default	{}	\N	\N
7	completed	1	5	2026-12-06 18:50:38.682042+00	2026-12-06 18:50:38.645595+00	2026-12-06 18:50:38.693867+00	2026-12-06 18:50:38.645595+00	1	{"seq": 5, "as_of": "2026-08-08T00:00:00Z", "stage": "close", "run_id": 1, "catalog": "8f9c0dd9955f56f6d8b30d5424981ff205f711af278f1b0ef9129fc79f62049a", "windows": [{"end": "2026-07-31", "start": "2026-07-01", "closes": "2026-08-08", "billing": "calendar", "account_id": "M1"}]}	{vm_2026_12_06T18_50_38_600930}	\N	run_unit	{}	default	{}	\N	\N
8	completed	1	5	2026-12-06 18:50:38.716375+00	2026-12-06 18:50:38.708733+00	2026-12-06 18:50:38.743727+00	2026-12-06 18:50:38.708733+00	1	{"seq": 0, "as_of": "2026-08-08T00:00:00Z", "files": [{"kinds": ["reconciliation", "invoice"], "number": "INV-2026-000001"}, {"kinds": ["reconciliation", "invoice"], "number": "INV-2026-000002"}, {"kinds": ["reconciliation", "invoice"], "number": "INV-2026-000003"}, {"kinds": ["reconciliation", "invoice"], "number": "INV-2026-000004"}, {"kinds": ["reconciliation", "invoice"], "number": "INV-2026-000005"}, {"kinds": ["reconciliation", "invoice"], "number": "INV-2026-000006"}, {"kinds": ["reconciliation", "invoice"], "number": "INV-2026-000007"}, {"kinds": ["reconciliation", "invoice"], "number": "INV-2026-000008"}, {"kinds": ["reconciliation", "invoice"], "number": "INV-2026-000009"}, {"kinds": ["reconciliation", "invoice"], "number": "INV-2026-000010"}], "stage": "emit", "run_id": 1}	{vm_2026_12_06T18_50_38_600930}	\N	run_unit	{}	default	{}	\N	\N
10	completed	1	5	2026-12-06 18:50:38.793473+00	2026-12-06 18:50:38.790379+00	2026-12-06 18:50:38.813116+00	2026-12-06 18:50:38.790379+00	1	{"seq": 1, "as_of": "2026-08-08T00:00:00Z", "stage": "collect", "run_id": 1, "invoices": ["INV-2026-000006"]}	{vm_2026_12_06T18_50_38_600930}	\N	run_unit	{}	default	{}	\N	\N
\.


--
-- Data for Name: river_leader; Type: TABLE DATA; Schema: river_units; Owner: -
--

COPY river_units.river_leader (elected_at, expires_at, leader_id, name) FROM stdin;
\.


--
-- Data for Name: river_migration; Type: TABLE DATA; Schema: river_units; Owner: -
--

COPY river_units.river_migration (line, version, created_at) FROM stdin;
main	1	2026-12-06 18:50:38.43062+00
main	2	2026-12-06 18:50:38.43062+00
main	3	2026-12-06 18:50:38.43062+00
main	4	2026-12-06 18:50:38.43062+00
main	5	2026-12-06 18:50:38.43062+00
main	6	2026-12-06 18:50:38.43062+00
\.


--
-- Data for Name: river_queue; Type: TABLE DATA; Schema: river_units; Owner: -
--

COPY river_units.river_queue (name, created_at, metadata, paused_at, updated_at) FROM stdin;
default	2026-12-06 18:50:38.601758+00	{}	\N	2026-12-06 18:50:38.601758+00
\.


--
-- Name: access_tokens_token_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.access_tokens_token_id_seq', 1, false);


--
-- Name: audit_log_entry_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.audit_log_entry_id_seq', 1, false);


--
-- Name: gateway_attempts_attempt_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.gateway_attempts_attempt_id_seq', 2, true);


--
-- Name: goose_db_version_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.goose_db_version_id_seq', 16, true);


--
-- Name: imports_import_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.imports_import_id_seq', 7, true);


--
-- Name: ledger_entries_entry_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.ledger_entries_entry_id_seq', 14, true);


--
-- Name: payment_methods_payment_method_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.payment_methods_payment_method_id_seq', 1, true);


--
-- Name: pipeline_runs_run_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.pipeline_runs_run_id_seq', 1, true);


--
-- Name: river_job_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.river_job_id_seq', 3, true);


--
-- Name: river_job_id_seq; Type: SEQUENCE SET; Schema: river_units; Owner: -
--

SELECT pg_catalog.setval('river_units.river_job_id_seq', 10, true);


--
-- Name: access_tokens access_tokens_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.access_tokens
    ADD CONSTRAINT access_tokens_pkey PRIMARY KEY (token_id);


--
-- Name: access_tokens access_tokens_secret_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.access_tokens
    ADD CONSTRAINT access_tokens_secret_hash_key UNIQUE (secret_hash);


--
-- Name: accounts accounts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.accounts
    ADD CONSTRAINT accounts_pkey PRIMARY KEY (account_id);


--
-- Name: audit_log audit_log_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (entry_id);


--
-- Name: billing_day_changes billing_day_changes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.billing_day_changes
    ADD CONSTRAINT billing_day_changes_pkey PRIMARY KEY (account_id, effective_from);


--
-- Name: closed_windows closed_windows_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.closed_windows
    ADD CONSTRAINT closed_windows_pkey PRIMARY KEY (account_id, billing, window_start);


--
-- Name: customers customers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.customers
    ADD CONSTRAINT customers_pkey PRIMARY KEY (customer_id);


--
-- Name: derived_imports derived_imports_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.derived_imports
    ADD CONSTRAINT derived_imports_pkey PRIMARY KEY (xid);


--
-- Name: first_activity first_activity_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.first_activity
    ADD CONSTRAINT first_activity_pkey PRIMARY KEY (account_id, billing);


--
-- Name: gateway_attempts gateway_attempts_idempotency_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.gateway_attempts
    ADD CONSTRAINT gateway_attempts_idempotency_key_key UNIQUE (idempotency_key);


--
-- Name: gateway_attempts gateway_attempts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.gateway_attempts
    ADD CONSTRAINT gateway_attempts_pkey PRIMARY KEY (attempt_id);


--
-- Name: goose_db_version goose_db_version_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.goose_db_version
    ADD CONSTRAINT goose_db_version_pkey PRIMARY KEY (id);


--
-- Name: imports imports_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imports
    ADD CONSTRAINT imports_pkey PRIMARY KEY (import_id);


--
-- Name: ingest_batches ingest_batches_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ingest_batches
    ADD CONSTRAINT ingest_batches_pkey PRIMARY KEY (xid, kind);


--
-- Name: invoice_files invoice_files_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoice_files
    ADD CONSTRAINT invoice_files_pkey PRIMARY KEY (invoice_number, kind);


--
-- Name: invoice_lines invoice_lines_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoice_lines
    ADD CONSTRAINT invoice_lines_pkey PRIMARY KEY (invoice_number, line_no);


--
-- Name: invoice_series invoice_series_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoice_series
    ADD CONSTRAINT invoice_series_pkey PRIMARY KEY (series);


--
-- Name: invoices invoices_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoices
    ADD CONSTRAINT invoices_pkey PRIMARY KEY (number);


--
-- Name: invoices invoices_series_seq_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoices
    ADD CONSTRAINT invoices_series_seq_key UNIQUE (series, seq);


--
-- Name: ledger_entries ledger_entries_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_entries
    ADD CONSTRAINT ledger_entries_pkey PRIMARY KEY (entry_id);


--
-- Name: ledger_open_items ledger_open_items_kind_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_open_items
    ADD CONSTRAINT ledger_open_items_kind_key_key UNIQUE (kind, key);


--
-- Name: ledger_open_items ledger_open_items_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_open_items
    ADD CONSTRAINT ledger_open_items_pkey PRIMARY KEY (entry_id);


--
-- Name: orders orders_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (order_id);


--
-- Name: outbox outbox_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_pkey PRIMARY KEY (message_id);


--
-- Name: payment_methods payment_methods_gateway_token_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payment_methods
    ADD CONSTRAINT payment_methods_gateway_token_key UNIQUE (gateway_token);


--
-- Name: payment_methods payment_methods_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payment_methods
    ADD CONSTRAINT payment_methods_pkey PRIMARY KEY (payment_method_id);


--
-- Name: payments payments_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payments
    ADD CONSTRAINT payments_pkey PRIMARY KEY (payment_id);


--
-- Name: pipeline_runs pipeline_runs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pipeline_runs
    ADD CONSTRAINT pipeline_runs_pkey PRIMARY KEY (run_id);


--
-- Name: prices prices_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.prices
    ADD CONSTRAINT prices_key UNIQUE NULLS NOT DISTINCT (sku, currency, from_quantity, effective_from);


--
-- Name: products products_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.products
    ADD CONSTRAINT products_pkey PRIMARY KEY (sku);


--
-- Name: river_client river_client_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_client
    ADD CONSTRAINT river_client_pkey PRIMARY KEY (id);


--
-- Name: river_client_queue river_client_queue_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_client_queue
    ADD CONSTRAINT river_client_queue_pkey PRIMARY KEY (river_client_id, name);


--
-- Name: river_job river_job_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_job
    ADD CONSTRAINT river_job_pkey PRIMARY KEY (id);


--
-- Name: river_leader river_leader_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_leader
    ADD CONSTRAINT river_leader_pkey PRIMARY KEY (name);


--
-- Name: river_migration river_migration_pkey1; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_migration
    ADD CONSTRAINT river_migration_pkey1 PRIMARY KEY (line, version);


--
-- Name: river_queue river_queue_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_queue
    ADD CONSTRAINT river_queue_pkey PRIMARY KEY (name);


--
-- Name: run_units run_units_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.run_units
    ADD CONSTRAINT run_units_pkey PRIMARY KEY (run_id, stage, seq);


--
-- Name: sandbox_cards sandbox_cards_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sandbox_cards
    ADD CONSTRAINT sandbox_cards_pkey PRIMARY KEY (token);


--
-- Name: sandbox_requests sandbox_requests_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sandbox_requests
    ADD CONSTRAINT sandbox_requests_pkey PRIMARY KEY (idempotency_key);


--
-- Name: subscriptions subscriptions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.subscriptions
    ADD CONSTRAINT subscriptions_pkey PRIMARY KEY (subscription_id);


--
-- Name: tax_rates tax_rates_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tax_rates
    ADD CONSTRAINT tax_rates_key UNIQUE NULLS NOT DISTINCT (country, effective_from);


--
-- Name: unbilled_charges unbilled_charges_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.unbilled_charges
    ADD CONSTRAINT unbilled_charges_pkey PRIMARY KEY (account_id, billing, window_start, currency);


--
-- Name: usage_events usage_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.usage_events
    ADD CONSTRAINT usage_events_pkey PRIMARY KEY (event_id);


--
-- Name: river_client river_client_pkey; Type: CONSTRAINT; Schema: river_units; Owner: -
--

ALTER TABLE ONLY river_units.river_client
    ADD CONSTRAINT river_client_pkey PRIMARY KEY (id);


--
-- Name: river_client_queue river_client_queue_pkey; Type: CONSTRAINT; Schema: river_units; Owner: -
--

ALTER TABLE ONLY river_units.river_client_queue
    ADD CONSTRAINT river_client_queue_pkey PRIMARY KEY (river_client_id, name);


--
-- Name: river_job river_job_pkey; Type: CONSTRAINT; Schema: river_units; Owner: -
--

ALTER TABLE ONLY river_units.river_job
    ADD CONSTRAINT river_job_pkey PRIMARY KEY (id);


--
-- Name: river_leader river_leader_pkey; Type: CONSTRAINT; Schema: river_units; Owner: -
--

ALTER TABLE ONLY river_units.river_leader
    ADD CONSTRAINT river_leader_pkey PRIMARY KEY (name);


--
-- Name: river_migration river_migration_pkey1; Type: CONSTRAINT; Schema: river_units; Owner: -
--

ALTER TABLE ONLY river_units.river_migration
    ADD CONSTRAINT river_migration_pkey1 PRIMARY KEY (line, version);


--
-- Name: river_queue river_queue_pkey; Type: CONSTRAINT; Schema: river_units; Owner: -
--

ALTER TABLE ONLY river_units.river_queue
    ADD CONSTRAINT river_queue_pkey PRIMARY KEY (name);


--
-- Name: access_tokens_parent; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX access_tokens_parent ON public.access_tokens USING btree (parent_id) WHERE (parent_id IS NOT NULL);


--
-- Name: audit_log_account; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_log_account ON public.audit_log USING btree (account_id, entry_id);


--
-- Name: closed_windows_window_end; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX closed_windows_window_end ON public.closed_windows USING btree (window_end);


--
-- Name: customers_account_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX customers_account_id ON public.customers USING btree (account_id);


--
-- Name: gateway_attempts_account; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX gateway_attempts_account ON public.gateway_attempts USING btree (account_id);


--
-- Name: gateway_attempts_invoice; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX gateway_attempts_invoice ON public.gateway_attempts USING btree (invoice_number) WHERE (invoice_number IS NOT NULL);


--
-- Name: gateway_attempts_one_in_flight; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX gateway_attempts_one_in_flight ON public.gateway_attempts USING btree (invoice_number) WHERE ((purpose = 'auto_charge'::text) AND (status = ANY (ARRAY['pending'::text, 'unknown'::text])));


--
-- Name: invoices_account_issue; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX invoices_account_issue ON public.invoices USING btree (account_id, issue_date DESC, series DESC, seq DESC);


--
-- Name: invoices_adjusts; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX invoices_adjusts ON public.invoices USING btree (adjusts) WHERE (adjusts IS NOT NULL);


--
-- Name: invoices_issue_date; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX invoices_issue_date ON public.invoices USING btree (issue_date, number);


--
-- Name: invoices_one_per_window; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX invoices_one_per_window ON public.invoices USING btree (account_id, billing, window_start, currency) WHERE ((adjusts IS NULL) AND (reason IS NULL));


--
-- Name: ledger_entries_account; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ledger_entries_account ON public.ledger_entries USING btree (account_id, currency);


--
-- Name: ledger_entries_credit; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ledger_entries_credit ON public.ledger_entries USING btree (credit_number) WHERE (kind = 'allocation'::text);


--
-- Name: ledger_entries_paid; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ledger_entries_paid ON public.ledger_entries USING btree (invoice_number) WHERE (kind = ANY (ARRAY['allocation'::text, 'payback'::text]));


--
-- Name: ledger_entries_payment; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ledger_entries_payment ON public.ledger_entries USING btree (payment_id) WHERE (kind = ANY (ARRAY['allocation'::text, 'payback'::text]));


--
-- Name: ledger_one_entry_per_invoice; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX ledger_one_entry_per_invoice ON public.ledger_entries USING btree (invoice_number) WHERE (kind = 'invoice'::text);


--
-- Name: ledger_one_entry_per_payment; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX ledger_one_entry_per_payment ON public.ledger_entries USING btree (payment_id) WHERE (kind = 'payment'::text);


--
-- Name: ledger_open_items_account; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ledger_open_items_account ON public.ledger_open_items USING btree (account_id, currency);


--
-- Name: orders_customer_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orders_customer_id ON public.orders USING btree (customer_id);


--
-- Name: orders_ingest_xid; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orders_ingest_xid ON public.orders USING btree (ingest_xid);


--
-- Name: orders_subscription_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orders_subscription_id ON public.orders USING btree (subscription_id, effective_date, order_id);


--
-- Name: outbox_unsent; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX outbox_unsent ON public.outbox USING btree (next_attempt_at) WHERE (sent_at IS NULL);


--
-- Name: payment_methods_account; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payment_methods_account ON public.payment_methods USING btree (account_id);


--
-- Name: payment_methods_one_default; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX payment_methods_one_default ON public.payment_methods USING btree (account_id) WHERE (is_default AND (removed_at IS NULL));


--
-- Name: payments_account_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payments_account_id ON public.payments USING btree (account_id);


--
-- Name: river_job_args_index; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX river_job_args_index ON public.river_job USING gin (args);


--
-- Name: river_job_kind; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX river_job_kind ON public.river_job USING btree (kind);


--
-- Name: river_job_metadata_index; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX river_job_metadata_index ON public.river_job USING gin (metadata);


--
-- Name: river_job_prioritized_fetching_index; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX river_job_prioritized_fetching_index ON public.river_job USING btree (state, queue, priority, scheduled_at, id);


--
-- Name: river_job_state_and_finalized_at_index; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX river_job_state_and_finalized_at_index ON public.river_job USING btree (state, finalized_at) WHERE (finalized_at IS NOT NULL);


--
-- Name: river_job_unique_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX river_job_unique_idx ON public.river_job USING btree (unique_key) WHERE ((unique_key IS NOT NULL) AND (unique_states IS NOT NULL) AND public.river_job_state_in_bitmask(unique_states, state));


--
-- Name: usage_events_before_ingest_xid; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX usage_events_before_ingest_xid ON public.usage_events USING btree (event_id) WHERE (ingest_xid IS NULL);


--
-- Name: usage_events_occurred_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX usage_events_occurred_at ON public.usage_events USING brin (occurred_at);


--
-- Name: usage_events_received_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX usage_events_received_at ON public.usage_events USING brin (received_at);


--
-- Name: river_job_args_index; Type: INDEX; Schema: river_units; Owner: -
--

CREATE INDEX river_job_args_index ON river_units.river_job USING gin (args);


--
-- Name: river_job_kind; Type: INDEX; Schema: river_units; Owner: -
--

CREATE INDEX river_job_kind ON river_units.river_job USING btree (kind);


--
-- Name: river_job_metadata_index; Type: INDEX; Schema: river_units; Owner: -
--

CREATE INDEX river_job_metadata_index ON river_units.river_job USING gin (metadata);


--
-- Name: river_job_prioritized_fetching_index; Type: INDEX; Schema: river_units; Owner: -
--

CREATE INDEX river_job_prioritized_fetching_index ON river_units.river_job USING btree (state, queue, priority, scheduled_at, id);


--
-- Name: river_job_state_and_finalized_at_index; Type: INDEX; Schema: river_units; Owner: -
--

CREATE INDEX river_job_state_and_finalized_at_index ON river_units.river_job USING btree (state, finalized_at) WHERE (finalized_at IS NOT NULL);


--
-- Name: river_job_unique_idx; Type: INDEX; Schema: river_units; Owner: -
--

CREATE UNIQUE INDEX river_job_unique_idx ON river_units.river_job USING btree (unique_key) WHERE ((unique_key IS NOT NULL) AND (unique_states IS NOT NULL) AND river_units.river_job_state_in_bitmask(unique_states, state));


--
-- Name: audit_log audit_log_final; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audit_log_final BEFORE DELETE OR UPDATE ON public.audit_log FOR EACH ROW EXECUTE FUNCTION public.audit_log_is_final();


--
-- Name: audit_log audit_log_final_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audit_log_final_truncate BEFORE TRUNCATE ON public.audit_log FOR EACH STATEMENT EXECUTE FUNCTION public.audit_log_is_final();


--
-- Name: invoice_lines invoice_lines_are_final; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER invoice_lines_are_final BEFORE DELETE OR UPDATE ON public.invoice_lines FOR EACH ROW EXECUTE FUNCTION public.refuse_change_to_finalized_invoice();


--
-- Name: invoice_lines invoice_lines_are_never_truncated; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER invoice_lines_are_never_truncated BEFORE TRUNCATE ON public.invoice_lines FOR EACH STATEMENT EXECUTE FUNCTION public.refuse_change_to_finalized_invoice();


--
-- Name: invoices invoices_are_final; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER invoices_are_final BEFORE DELETE OR UPDATE ON public.invoices FOR EACH ROW EXECUTE FUNCTION public.refuse_change_to_finalized_invoice();


--
-- Name: invoices invoices_are_never_truncated; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER invoices_are_never_truncated BEFORE TRUNCATE ON public.invoices FOR EACH STATEMENT EXECUTE FUNCTION public.refuse_change_to_finalized_invoice();


--
-- Name: ledger_entries ledger_allocations_fit; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER ledger_allocations_fit BEFORE INSERT ON public.ledger_entries FOR EACH ROW WHEN ((new.kind = ANY (ARRAY['allocation'::text, 'payback'::text]))) EXECUTE FUNCTION public.check_ledger_allocation();


--
-- Name: ledger_entries ledger_entries_are_final; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER ledger_entries_are_final BEFORE DELETE OR UPDATE ON public.ledger_entries FOR EACH ROW EXECUTE FUNCTION public.refuse_change_to_ledger();


--
-- Name: ledger_entries ledger_entries_are_never_truncated; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER ledger_entries_are_never_truncated BEFORE TRUNCATE ON public.ledger_entries FOR EACH STATEMENT EXECUTE FUNCTION public.refuse_change_to_ledger();


--
-- Name: ledger_entries ledger_open_items_follow; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER ledger_open_items_follow AFTER INSERT ON public.ledger_entries FOR EACH ROW EXECUTE FUNCTION public.follow_ledger_open_items();


--
-- Name: orders orders_first_activity; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER orders_first_activity AFTER INSERT ON public.orders REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION public.follow_first_activity();


--
-- Name: payments payments_are_final; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER payments_are_final BEFORE DELETE OR UPDATE ON public.payments FOR EACH ROW EXECUTE FUNCTION public.refuse_change_to_ledger();


--
-- Name: payments payments_are_never_truncated; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER payments_are_never_truncated BEFORE TRUNCATE ON public.payments FOR EACH STATEMENT EXECUTE FUNCTION public.refuse_change_to_ledger();


--
-- Name: access_tokens access_tokens_account_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.access_tokens
    ADD CONSTRAINT access_tokens_account_id_fkey FOREIGN KEY (account_id) REFERENCES public.accounts(account_id);


--
-- Name: access_tokens access_tokens_parent_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.access_tokens
    ADD CONSTRAINT access_tokens_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES public.access_tokens(token_id);


--
-- Name: billing_day_changes billing_day_changes_account_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.billing_day_changes
    ADD CONSTRAINT billing_day_changes_account_id_fkey FOREIGN KEY (account_id) REFERENCES public.accounts(account_id);


--
-- Name: closed_windows closed_windows_account_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.closed_windows
    ADD CONSTRAINT closed_windows_account_id_fkey FOREIGN KEY (account_id) REFERENCES public.accounts(account_id);


--
-- Name: closed_windows closed_windows_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.closed_windows
    ADD CONSTRAINT closed_windows_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.pipeline_runs(run_id);


--
-- Name: customers customers_account_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.customers
    ADD CONSTRAINT customers_account_id_fkey FOREIGN KEY (account_id) REFERENCES public.accounts(account_id);


--
-- Name: gateway_attempts gateway_attempts_account_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.gateway_attempts
    ADD CONSTRAINT gateway_attempts_account_id_fkey FOREIGN KEY (account_id) REFERENCES public.accounts(account_id);


--
-- Name: gateway_attempts gateway_attempts_payment_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.gateway_attempts
    ADD CONSTRAINT gateway_attempts_payment_id_fkey FOREIGN KEY (payment_id) REFERENCES public.payments(payment_id);


--
-- Name: gateway_attempts gateway_attempts_payment_method_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.gateway_attempts
    ADD CONSTRAINT gateway_attempts_payment_method_id_fkey FOREIGN KEY (payment_method_id) REFERENCES public.payment_methods(payment_method_id);


--
-- Name: invoice_files invoice_files_invoice_number_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoice_files
    ADD CONSTRAINT invoice_files_invoice_number_fkey FOREIGN KEY (invoice_number) REFERENCES public.invoices(number);


--
-- Name: invoices invoices_account_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoices
    ADD CONSTRAINT invoices_account_id_fkey FOREIGN KEY (account_id) REFERENCES public.accounts(account_id);


--
-- Name: invoices invoices_adjusts_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoices
    ADD CONSTRAINT invoices_adjusts_fkey FOREIGN KEY (adjusts) REFERENCES public.invoices(number);


--
-- Name: invoices invoices_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoices
    ADD CONSTRAINT invoices_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.pipeline_runs(run_id);


--
-- Name: ledger_entries ledger_entries_payment_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_entries
    ADD CONSTRAINT ledger_entries_payment_id_fkey FOREIGN KEY (payment_id) REFERENCES public.payments(payment_id);


--
-- Name: ledger_open_items ledger_open_items_entry_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_open_items
    ADD CONSTRAINT ledger_open_items_entry_id_fkey FOREIGN KEY (entry_id) REFERENCES public.ledger_entries(entry_id);


--
-- Name: outbox outbox_account_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_account_id_fkey FOREIGN KEY (account_id) REFERENCES public.accounts(account_id);


--
-- Name: payment_methods payment_methods_account_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payment_methods
    ADD CONSTRAINT payment_methods_account_id_fkey FOREIGN KEY (account_id) REFERENCES public.accounts(account_id);


--
-- Name: payments payments_account_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payments
    ADD CONSTRAINT payments_account_id_fkey FOREIGN KEY (account_id) REFERENCES public.accounts(account_id);


--
-- Name: prices prices_sku_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.prices
    ADD CONSTRAINT prices_sku_fkey FOREIGN KEY (sku) REFERENCES public.products(sku);


--
-- Name: river_client_queue river_client_queue_river_client_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.river_client_queue
    ADD CONSTRAINT river_client_queue_river_client_id_fkey FOREIGN KEY (river_client_id) REFERENCES public.river_client(id) ON DELETE CASCADE;


--
-- Name: unbilled_charges unbilled_charges_account_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.unbilled_charges
    ADD CONSTRAINT unbilled_charges_account_id_fkey FOREIGN KEY (account_id) REFERENCES public.accounts(account_id);


--
-- Name: river_client_queue river_client_queue_river_client_id_fkey; Type: FK CONSTRAINT; Schema: river_units; Owner: -
--

ALTER TABLE ONLY river_units.river_client_queue
    ADD CONSTRAINT river_client_queue_river_client_id_fkey FOREIGN KEY (river_client_id) REFERENCES river_units.river_client(id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--

\unrestrict vkhMoUJkZskvjiEiQJCFuhRbvLQd1uxbXY7mhu4vruxae9N0uE4mIXk7KPbKW6j

