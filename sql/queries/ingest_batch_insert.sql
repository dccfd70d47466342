-- The importing transaction, with the first and last UTC activity dates of
-- the records it added (§7): counting late records reads only the
-- imports a closed window did not see, in the windows their dates reach.
INSERT INTO ingest_batches (xid, kind, first_activity, last_activity) VALUES (pg_current_xact_id(), @kind, @first_activity, @last_activity)
