-- Emails to customers about operators' replies they have not read.

-- When a customer asked for no more reply emails (the one-click unsubscribe link).
ALTER TABLE customers ADD COLUMN unsubscribed_at BIGINT;

-- The outbox: one row per email a support conversation may get. The row is written in the same
-- transaction as the operator reply that opens its window; the worker claims it when it is due,
-- checks it against the store, and records what became of it.
--   waiting   the window is open: later replies join it (at most one per conversation)
--   sending   claimed; due_at is when the claim lapses if the node died while sending
--   retrying  a send failed for now; due_at is the next try
--   sent, skipped, failed   finished; outcome says why for the last two
CREATE TABLE email_jobs (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    state           TEXT NOT NULL
        CHECK (state IN ('waiting', 'sending', 'retrying', 'sent', 'skipped', 'failed')),
    -- When the reply that opened the window was posted.
    opened_at       BIGINT NOT NULL,
    due_at          BIGINT NOT NULL,
    -- The replies the email covers, fixed when it is first claimed for sending.
    first_seq       BIGINT NOT NULL,
    last_seq        BIGINT,
    replies         BIGINT NOT NULL DEFAULT 0,
    recipient       TEXT,
    attempts        BIGINT NOT NULL DEFAULT 0,
    -- Why it was skipped or failed (a short code), and the transport's last error.
    outcome         TEXT,
    detail          TEXT,
    -- For "skipped: read": when the customer read the last reply.
    read_at         BIGINT,
    finished_at     BIGINT,
    created_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX email_jobs_one_window ON email_jobs (conversation_id) WHERE state = 'waiting';
CREATE INDEX email_jobs_due ON email_jobs (due_at) WHERE state IN ('waiting', 'sending', 'retrying');
CREATE INDEX email_jobs_conversation ON email_jobs (conversation_id, created_at);
