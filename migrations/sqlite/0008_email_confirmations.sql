-- Double opt-in: an address a customer typed (or sent beside a v1 signature) gets a confirmation
-- link before it gets any reply email. Each row is also the outbox entry of its email: written
-- in the transaction that set the address, sent by the email worker.
--   waiting   due to be sent at due_at
--   sending   claimed; due_at is when the claim lapses if the node died while sending
--   retrying  a send failed for now; due_at is the next try
--   sent, failed   finished
-- The link in the email is signed (no secret is stored): it names the row, which names the
-- address, so a link confirms only the address it was sent to.
CREATE TABLE email_confirmations (
    id           TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    email        TEXT NOT NULL,
    locale       TEXT,
    state        TEXT NOT NULL
        CHECK (state IN ('waiting', 'sending', 'retrying', 'sent', 'failed')),
    due_at       BIGINT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    detail       TEXT,
    created_at   BIGINT NOT NULL,
    confirmed_at BIGINT
);
CREATE INDEX email_confirmations_due ON email_confirmations (state, due_at);
CREATE INDEX email_confirmations_customer ON email_confirmations (customer_id, created_at);
