-- The sandbox gateway answers a request it had left unanswered.
UPDATE sandbox.requests SET answered = true WHERE idempotency_key = $1
