-- Search (issue 25): fewer pages and less work for each message the index takes in.
--
-- A pending list, as PostgreSQL's GIN indexes keep one. FTS5 writes a new segment (and rewrites
-- its structure record, and merges) at every commit that touches it, so a lone writer
-- committing one message at a time paid for a segment per message. The transaction that stores
-- a message now writes its words to `message_pending`; they go into the FTS5 table in bulk, one
-- segment for many messages, when the message writer has stored enough of them and before
-- every search (`Store::settle_search_index`), so a search still sees every stored message.
--
-- The document number (numbered as in 0014) moves into the message's row, `messages.doc`:
-- `message_docs` and its index on message ids were two more pages written at every commit. The
-- store numbers messages itself (`src/store/search_pending.rs`), so the view and the trigger
-- that numbered and indexed each inserted row go.
ALTER TABLE messages ADD COLUMN doc INTEGER;
UPDATE messages SET doc = (SELECT doc FROM message_docs WHERE message_id = messages.id);
CREATE UNIQUE INDEX messages_doc ON messages (doc);

CREATE TABLE message_pending (
    doc   INTEGER PRIMARY KEY,
    words TEXT NOT NULL
);

DROP TRIGGER messages_indexed_insert;
DROP VIEW messages_indexed;
DROP TRIGGER messages_unindex;
DROP TABLE message_docs;

-- A message's words are in the FTS5 table or still pending; deleting from the one they are not
-- in changes nothing.
CREATE TRIGGER messages_unindex AFTER DELETE ON messages WHEN OLD.doc IS NOT NULL BEGIN
    DELETE FROM message_fts WHERE rowid = OLD.doc;
    DELETE FROM message_pending WHERE doc = OLD.doc;
END;
