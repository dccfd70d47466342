-- A card the sandbox gateway tokenized: its behaviour, never its number.
INSERT INTO sandbox.cards (token, behaviour, expiry_month, expiry_year) VALUES (@token, @behaviour, @expiry_month, @expiry_year)
