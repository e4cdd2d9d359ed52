-- Search (issue 25): the messages table is keyed by its document number. With `doc` as the
-- table's rowid (INTEGER PRIMARY KEY), a message is stored in time order and the index finds it
-- by its number without an index of its own: `messages_doc` was one more page written at every
-- commit, and a third of what the search index still cost a lone writer. `id` stays unique.
--
-- Messages stored before search existed and not yet indexed (no number since 0017) get a
-- number in the upper half of their millisecond (long past), above the numbers given in it,
-- and wait in `message_unindexed` for the server to index them as it starts.
CREATE TABLE message_unindexed (
    doc INTEGER PRIMARY KEY
);

CREATE TEMPORARY VIEW numbering AS
SELECT rowid AS row,
       created_at * 1048576 + 524288
           + ROW_NUMBER() OVER (PARTITION BY created_at ORDER BY rowid) - 1 AS doc
FROM messages WHERE doc IS NULL;
INSERT INTO message_unindexed (doc) SELECT doc FROM numbering;
UPDATE messages SET doc = numbering.doc FROM numbering WHERE messages.rowid = numbering.row;
DROP VIEW numbering;

CREATE TABLE messages_by_doc (
    doc             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq             BIGINT NOT NULL,
    sender_kind     TEXT NOT NULL CHECK (sender_kind IN ('operator', 'guest', 'customer', 'system')),
    sender_id       TEXT,
    sender_name     TEXT,
    content         TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    read_at         BIGINT,
    internal        INTEGER NOT NULL DEFAULT 0,
    mentions        TEXT,
    attachments     TEXT,
    UNIQUE (conversation_id, seq),
    UNIQUE (conversation_id, client_id)
);
INSERT INTO messages_by_doc (doc, id, conversation_id, seq, sender_kind, sender_id, sender_name,
                             content, client_id, created_at, read_at, internal, mentions,
                             attachments)
SELECT doc, id, conversation_id, seq, sender_kind, sender_id, sender_name, content, client_id,
       created_at, read_at, internal, mentions, attachments
FROM messages;
DROP TABLE messages;
ALTER TABLE messages_by_doc RENAME TO messages;

-- As in 0001 and 0004.
CREATE INDEX messages_unread ON messages (conversation_id, sender_kind, read_at);
CREATE INDEX messages_unread_only ON messages (sender_kind, conversation_id)
    WHERE read_at IS NULL;

-- A message's words are in the FTS5 table, still pending, or not yet indexed; deleting from
-- the others changes nothing.
CREATE TRIGGER messages_unindex AFTER DELETE ON messages BEGIN
    DELETE FROM message_fts WHERE rowid = OLD.doc;
    DELETE FROM message_pending WHERE doc = OLD.doc;
    DELETE FROM message_unindexed WHERE doc = OLD.doc;
END;
