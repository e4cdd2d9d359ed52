-- Switchboard's schema on PostgreSQL: the twin of migrations/sqlite, table for table and column
-- for column. Times are BIGINT milliseconds since the Unix epoch (UTC) and ids are UUID text, so
-- the store's statements run unchanged on both backends.

CREATE TABLE operators (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

-- A signed-in browser. Only the SHA-256 of the cookie value is stored.
CREATE TABLE operator_sessions (
    token_hash  TEXT PRIMARY KEY,
    operator_id TEXT NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX operator_sessions_operator ON operator_sessions (operator_id);
CREATE INDEX operator_sessions_expiry ON operator_sessions (expires_at);

-- A customer of an embedding website: signed (external_id) or anonymous (visitor token hash).
CREATE TABLE customers (
    id                 TEXT PRIMARY KEY,
    external_id        TEXT UNIQUE,
    visitor_token_hash TEXT UNIQUE,
    email              TEXT,
    name               TEXT,
    created_at         BIGINT NOT NULL
);

CREATE TABLE conversations (
    id                 TEXT PRIMARY KEY,
    kind               TEXT NOT NULL CHECK (kind IN ('session', 'support')),
    customer_id        TEXT UNIQUE REFERENCES customers (id) ON DELETE CASCADE,
    created_at         BIGINT NOT NULL,
    -- The highest seq handed out; the next message takes last_seq + 1 in the same transaction.
    last_seq           BIGINT NOT NULL DEFAULT 0,
    last_message_at    BIGINT,
    archived_at        BIGINT,
    operator_viewed_at BIGINT
);
-- The inbox: active or archived, newest activity first.
CREATE INDEX conversations_inbox ON conversations (kind, archived_at, last_message_at DESC);

CREATE TABLE support_sessions (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL UNIQUE REFERENCES conversations (id) ON DELETE CASCADE,
    title           TEXT,
    created_by      TEXT REFERENCES operators (id) ON DELETE SET NULL,
    -- SHA-256 (hex) of the current guest token; rotation replaces it.
    token_hash      TEXT NOT NULL UNIQUE,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    joined_at       BIGINT,
    ended_at        BIGINT
);
CREATE INDEX support_sessions_created ON support_sessions (created_at DESC);
CREATE INDEX support_sessions_open ON support_sessions (ended_at, expires_at);

CREATE TABLE messages (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq             BIGINT NOT NULL,
    sender_kind     TEXT NOT NULL CHECK (sender_kind IN ('operator', 'guest', 'customer', 'system')),
    sender_id       TEXT,
    sender_name     TEXT,
    content         TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    read_at         BIGINT,
    UNIQUE (conversation_id, seq),
    UNIQUE (conversation_id, client_id)
);
-- Unread counts per side: messages of one sender kind not yet read.
CREATE INDEX messages_unread ON messages (conversation_id, sender_kind, read_at);

-- Work to do after a commit (email). Written in the same transaction as the change that causes it.
CREATE TABLE outbox (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    due_at     BIGINT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    sent_at    BIGINT,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox (sent_at, due_at);
