-- +goose Up
-- The orders imports whose subscriptions the extract stage has derived
-- (SPEC §2). Each extract derives only the subscriptions named by the
-- imports not listed here and lists those imports in the same transaction,
-- so that the stage costs what was imported since, not every order ever.
-- With none listed (a new database, or one just upgraded to this schema),
-- the next extract derives every subscription once.
CREATE TABLE derived_imports (
    xid  xid8 PRIMARY KEY
);

-- +goose Down
DROP TABLE derived_imports;
