-- The shared inbox: private notes, who a conversation is assigned to, labels, canned replies.

-- A private note is a message for operators only (it takes a seq like any message); mentions
-- are the operator ids it names, as a JSON array.
ALTER TABLE messages ADD COLUMN internal BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE messages ADD COLUMN mentions TEXT;

-- The operator a conversation is assigned to (none: unassigned). Mine / Unassigned pages walk
-- this index.
ALTER TABLE conversations ADD COLUMN assignee_id TEXT REFERENCES operators (id);
CREATE INDEX conversations_assignee ON conversations (assignee_id, kind, last_message_at DESC, id DESC);

-- Activity lines gain who did it, to whom, and for a labelling, the labels after it (JSON).
ALTER TABLE conversation_notes ADD COLUMN by_id TEXT;
ALTER TABLE conversation_notes ADD COLUMN to_id TEXT;
ALTER TABLE conversation_notes ADD COLUMN detail TEXT;

-- Labels: names unique ignoring case.
CREATE TABLE labels (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    color      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX labels_name ON labels (lower(name));

CREATE TABLE conversation_labels (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    label_id        TEXT NOT NULL REFERENCES labels (id) ON DELETE CASCADE,
    PRIMARY KEY (conversation_id, label_id)
);
CREATE INDEX conversation_labels_label ON conversation_labels (label_id, conversation_id);

-- Canned replies: the team's library, stored verbatim.
CREATE TABLE canned_replies (
    id         TEXT PRIMARY KEY,
    shortcut   TEXT NOT NULL UNIQUE,
    title      TEXT NOT NULL,
    content    TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES operators (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Who has a conversation on screen: one row per operator socket and conversation, written by
-- the node that holds the socket. A node that stops reporting its presence (it died) no longer
-- counts, and its rows are swept.
CREATE TABLE conversation_viewers (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    connection_id   TEXT NOT NULL,
    operator_id     TEXT NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
    node_id         TEXT NOT NULL,
    typing_until    BIGINT,
    since           BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, connection_id)
);
CREATE INDEX conversation_viewers_connection ON conversation_viewers (connection_id);
