-- Sets the language account @account_id is written to (@locale): its e-mails from now
-- on, the documents of the invoices finalized from now on, and its
-- holder's pages.
UPDATE accounts SET locale = @locale WHERE account_id = @account_id
