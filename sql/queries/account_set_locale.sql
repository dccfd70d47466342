-- Sets the language account $1 is written to ($2): its e-mails from now
-- on, the documents of the invoices finalized from now on, and its
-- holder's pages.
UPDATE accounts SET locale = $2 WHERE account_id = $1
