-- +goose Up
-- The billing schema (SPEC §2). Money and quantities are NUMERIC, instants
-- timestamptz, billing dates date; enums and ranges are CHECKed here so the
-- rules hold whatever writes to the database.

CREATE TABLE accounts (
    account_id   text COLLATE "C" PRIMARY KEY CHECK (account_id <> ''),
    name         text NOT NULL,
    country      char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    currency     char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    billing_day  smallint NOT NULL CHECK (billing_day BETWEEN 1 AND 31),
    email        text
);

CREATE TABLE customers (
    customer_id  text COLLATE "C" PRIMARY KEY CHECK (customer_id <> ''),
    account_id   text COLLATE "C" NOT NULL REFERENCES accounts,
    name         text NOT NULL,
    country      char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    currency     char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$')
);
CREATE INDEX customers_account_id ON customers (account_id);

CREATE TABLE products (
    sku      text COLLATE "C" PRIMARY KEY CHECK (sku <> ''),
    name     text NOT NULL,
    kind     text NOT NULL CHECK (kind IN ('license', 'usage', 'onetime')),
    billing  text NOT NULL CHECK (billing IN ('anniversary', 'calendar'))
);

-- A price row is one tier of a sku's price in a currency from a date on:
-- the unit price applies to units above from_quantity (0 for the first tier);
-- a null effective_from means "since always".
CREATE TABLE prices (
    sku             text COLLATE "C" NOT NULL REFERENCES products,
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    from_quantity   numeric NOT NULL DEFAULT 0 CHECK (from_quantity >= 0),
    effective_from  date,
    unit_price      numeric NOT NULL CHECK (unit_price >= 0),
    CONSTRAINT prices_key UNIQUE NULLS NOT DISTINCT (sku, currency, from_quantity, effective_from)
);

CREATE TABLE tax_rates (
    country         char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    effective_from  date,
    rate            numeric NOT NULL CHECK (rate >= 0 AND rate <= 1),
    CONSTRAINT tax_rates_key UNIQUE NULLS NOT DISTINCT (country, effective_from)
);

-- Orders as received. Subscriptions are derived from them by the extract
-- stage, so subscription_id is not a foreign key: an order may arrive before
-- the subscription's `new` order (SPEC §4, §7).
CREATE TABLE orders (
    order_id         text COLLATE "C" PRIMARY KEY CHECK (order_id <> ''),
    subscription_id  text COLLATE "C" NOT NULL CHECK (subscription_id <> ''),
    customer_id      text COLLATE "C" NOT NULL REFERENCES customers,
    sku              text COLLATE "C" NOT NULL REFERENCES products,
    action           text NOT NULL CHECK (action IN ('new', 'addQuantity', 'removeQuantity', 'cancel')),
    quantity         numeric NOT NULL CHECK (quantity >= 0 AND quantity = trunc(quantity)),
    effective_date   date NOT NULL,
    received_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (action <> 'cancel' OR quantity = 0),
    CHECK (action NOT IN ('addQuantity', 'removeQuantity') OR quantity > 0)
);
CREATE INDEX orders_subscription_id ON orders (subscription_id, effective_date, order_id);
CREATE INDEX orders_customer_id ON orders (customer_id);

CREATE TABLE subscriptions (
    subscription_id  text COLLATE "C" PRIMARY KEY,
    customer_id      text COLLATE "C" NOT NULL REFERENCES customers,
    sku              text COLLATE "C" NOT NULL REFERENCES products,
    start_date       date NOT NULL,
    end_date         date,
    CHECK (end_date IS NULL OR end_date >= start_date)
);

-- Usage events as received; the subscription is checked by extract (SPEC §10).
CREATE TABLE usage_events (
    event_id         text COLLATE "C" PRIMARY KEY CHECK (event_id <> ''),
    subscription_id  text COLLATE "C" NOT NULL,
    quantity         numeric NOT NULL CHECK (quantity >= 0),
    occurred_at      timestamptz NOT NULL,
    received_at      timestamptz NOT NULL DEFAULT now()
);
-- Events arrive roughly in time order, so a BRIN index finds a month's
-- events for almost nothing on import.
CREATE INDEX usage_events_occurred_at ON usage_events USING brin (occurred_at);

-- Invoices (SPEC §6). Numbers are unique and gap-free within their series
-- (series, seq); an invoice adjusting an earlier one names it in adjusts (§7).
CREATE TABLE invoices (
    number        text COLLATE "C" PRIMARY KEY,
    series        text NOT NULL,
    seq           bigint NOT NULL CHECK (seq > 0),
    account_id    text COLLATE "C" NOT NULL REFERENCES accounts,
    type          text NOT NULL CHECK (type IN ('new', 'recurring', 'onetime', 'credit', 'refund')),
    billing       text NOT NULL CHECK (billing IN ('anniversary', 'calendar')),
    currency      char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    window_start  date NOT NULL,
    window_end    date NOT NULL,
    issue_date    date NOT NULL,
    tax_rate      numeric NOT NULL DEFAULT 0 CHECK (tax_rate >= 0 AND tax_rate <= 1),
    subtotal      numeric NOT NULL,
    tax           numeric NOT NULL,
    total         numeric NOT NULL,
    adjusts       text COLLATE "C" REFERENCES invoices,
    finalized_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (series, seq),
    CHECK (window_end >= window_start),
    CHECK (issue_date > window_end),
    CHECK (total = subtotal + tax)
);
-- One original invoice per account, window and currency (SPEC §6, §7).
CREATE UNIQUE INDEX invoices_one_per_window ON invoices (account_id, billing, window_start, currency)
    WHERE adjusts IS NULL;

-- A line's customer and sku are not foreign keys: each line derives from a
-- subscription's orders, whose own foreign keys already hold the customer and
-- product in place, and a check per line and key would cost a quarter of the
-- time it takes to close a window.
CREATE TABLE invoice_lines (
    invoice_number        text COLLATE "C" NOT NULL REFERENCES invoices,
    line_no               integer NOT NULL CHECK (line_no > 0),
    customer_id           text COLLATE "C" NOT NULL,
    subscription_id       text COLLATE "C",
    order_id              text COLLATE "C",
    sku                   text COLLATE "C" NOT NULL,
    charge_type           text NOT NULL CHECK (charge_type IN ('new', 'renew', 'addQuantity', 'removeQuantity', 'cancel', 'usage', 'credit', 'refund')),
    charge_start          date NOT NULL,
    charge_end            date NOT NULL,
    activity_date         date NOT NULL,
    unit_price            numeric NOT NULL,
    effective_unit_price  numeric NOT NULL,
    quantity              numeric NOT NULL,
    amount                numeric NOT NULL,
    tax                   numeric NOT NULL,
    total                 numeric NOT NULL,
    days_charged          integer,
    term_days             integer,
    detail                text,
    PRIMARY KEY (invoice_number, line_no),
    CHECK (charge_end >= charge_start),
    CHECK (total = amount + tax)
);

-- Payment methods (SPEC §9): a gateway token, never a card number.
CREATE TABLE payment_methods (
    payment_method_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id         text COLLATE "C" NOT NULL REFERENCES accounts,
    gateway_token      text NOT NULL UNIQUE,
    brand              text NOT NULL,
    last4              char(4) NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
    expiry_month       smallint NOT NULL CHECK (expiry_month BETWEEN 1 AND 12),
    expiry_year        smallint NOT NULL CHECK (expiry_year BETWEEN 2000 AND 2999),
    status             text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'valid', 'invalid')),
    created_at         timestamptz NOT NULL DEFAULT now()
);
-- At most one card on file per account.
CREATE UNIQUE INDEX payment_methods_one_per_account ON payment_methods (account_id);

CREATE TABLE payments (
    payment_id         text COLLATE "C" PRIMARY KEY,
    account_id         text COLLATE "C" NOT NULL REFERENCES accounts,
    currency           char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    amount             numeric NOT NULL CHECK (amount > 0),
    method             text NOT NULL CHECK (method IN ('card_on_file', 'card', 'paypal')),
    gateway_reference  text NOT NULL,
    paid_at            timestamptz NOT NULL
);
CREATE INDEX payments_account_id ON payments (account_id);

-- Every pipeline run, whatever its outcome.
CREATE TABLE pipeline_runs (
    run_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    as_of        timestamptz NOT NULL,
    stage        text NOT NULL CHECK (stage ~ '^(all|rerun|(extract|rate|close|emit)(,(extract|rate|close|emit))*)$'),
    job          text,  -- the scheduled job that started the run, if any
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    status       text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed', 'stopped')),
    counts       jsonb NOT NULL DEFAULT '{}',
    error        text,
    CHECK ((status = 'running') = (finished_at IS NULL))
);

-- Every import, so an operator can see what was loaded and when.
CREATE TABLE imports (
    import_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('accounts', 'customers', 'products', 'prices', 'orders', 'usage', 'tax-rates')),
    file_name    text NOT NULL,
    file_sha256  text NOT NULL,
    rows_read    bigint NOT NULL CHECK (rows_read >= 0),
    rows_added   bigint NOT NULL CHECK (rows_added >= 0),
    imported_at  timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE imports;
DROP TABLE pipeline_runs;
DROP TABLE payments;
DROP TABLE payment_methods;
DROP TABLE invoice_lines;
DROP TABLE invoices;
DROP TABLE usage_events;
DROP TABLE subscriptions;
DROP TABLE orders;
DROP TABLE tax_rates;
DROP TABLE prices;
DROP TABLE products;
DROP TABLE customers;
DROP TABLE accounts;
