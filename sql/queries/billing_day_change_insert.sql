-- Records a change of an account's billing day (§7).
INSERT INTO billing_day_changes (account_id, effective_from, previous_day, billing_day) VALUES (@account_id, @effective_from, @previous_day, @billing_day)
