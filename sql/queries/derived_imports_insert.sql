-- Lists orders imports as derived, in the transaction that derived them.
INSERT INTO derived_imports (xid)
SELECT unnest($1::xid8[])
ON CONFLICT (xid) DO NOTHING
