-- Erasing a customer (issue 25): the row stays, without anything personal, so that their
-- conversation can still say "Erased customer"; this is when it was erased.
ALTER TABLE customers ADD COLUMN erased_at BIGINT;
