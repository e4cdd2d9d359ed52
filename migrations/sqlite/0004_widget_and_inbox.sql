-- The embedded widget and the operators' inbox.

-- Whether a customer's email came from a signed identity (an address an anonymous visitor typed
-- is never sent message text), the widget's language, and when the customer was last seen.
ALTER TABLE customers ADD COLUMN email_signed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN locale TEXT;
ALTER TABLE customers ADD COLUMN last_seen_at BIGINT;

-- A widget's bearer credential. Only the SHA-256 of the token is stored.
CREATE TABLE widget_tokens (
    token_hash  TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX widget_tokens_customer ON widget_tokens (customer_id);
CREATE INDEX widget_tokens_expiry ON widget_tokens (expires_at);

-- Values this installation generated for itself once (the widget secret when none is set).
CREATE TABLE instance_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Switchboard's own lines in a conversation, shown to operators between messages. They are not
-- messages: they take no seq and are never previews, senders or unread.
CREATE TABLE conversation_notes (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    at_seq          BIGINT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX conversation_notes_conversation ON conversation_notes (conversation_id, at_seq);

-- Inbox pages: active or archived, newest activity first, each walked by one index.
DROP INDEX conversations_inbox;
CREATE INDEX conversations_active ON conversations (kind, last_message_at DESC, id DESC)
    WHERE archived_at IS NULL;
CREATE INDEX conversations_archived ON conversations (kind, last_message_at DESC, id DESC)
    WHERE archived_at IS NOT NULL;

-- Unread messages only: what the inbox's unread count walks.
CREATE INDEX messages_unread_only ON messages (sender_kind, conversation_id)
    WHERE read_at IS NULL;

-- Operators' live sockets per node, refreshed on every change and every 30 s: the widget says
-- "no one is here" when no node has reported one lately (a node that died stops counting).
CREATE TABLE operator_presence (
    node_id TEXT PRIMARY KEY,
    sockets BIGINT NOT NULL,
    seen_at BIGINT NOT NULL
);
