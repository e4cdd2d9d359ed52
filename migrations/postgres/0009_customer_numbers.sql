-- Customers get a number on this installation, from 1 in the order they were first seen, so that
-- an anonymous visitor has a name operators can say ("Visitor 12"). New rows take the highest
-- number plus one (writers take a lock first); the unique index keeps two from sharing one.
ALTER TABLE customers ADD COLUMN number BIGINT;
UPDATE customers SET number = (
    SELECT COUNT(*) FROM customers earlier
    WHERE earlier.created_at < customers.created_at
       OR (earlier.created_at = customers.created_at AND earlier.id <= customers.id)
);
CREATE UNIQUE INDEX customers_number ON customers (number);
