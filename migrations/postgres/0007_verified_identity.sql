-- What Switchboard may trust about a customer's email and name (PROTOCOL v1.1, "Widget
-- identity"). A host site's v1.1 signature covers the email and name it sends; the v1 form
-- (the user id alone) and anything a visitor typed leave them unverified, and only a verified
-- address gets reply emails. Addresses signed with v1 before this migration are unverified too:
-- the audit showed that v1 let anyone attach any address to a signed user id.
ALTER TABLE customers ADD COLUMN email_verified BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE customers ADD COLUMN name_verified BOOLEAN NOT NULL DEFAULT FALSE;
