-- Search (issue 25), newest first without reading every match: a message's document number now
-- orders the index by the message's time, so a search walks the matches newest first and stops
-- once it has a page. The number is the time (ms) times 2^20, plus one for each message indexed
-- earlier in the same millisecond.
--
-- The earlier numbers followed the order of indexing, so the index is built again: emptied here,
-- and filled by the server as it starts (`Engine::index_backlog`), as for messages stored before
-- search existed.
DROP TRIGGER messages_indexed_insert;
DROP TRIGGER messages_unindex;
DROP TABLE message_fts;
DROP TABLE message_docs;

CREATE TABLE message_docs (
    doc        INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE
);

CREATE VIRTUAL TABLE message_fts USING fts5(
    words,
    content = '',
    contentless_delete = 1,
    tokenize = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
INSERT INTO message_fts (message_fts, rank) VALUES ('secure-delete', 1);

-- As in 0013, with the message's number worked out from its time. (A column added to
-- `messages` later must be added to the trigger's insert too.)
CREATE TRIGGER messages_indexed_insert INSTEAD OF INSERT ON messages_indexed BEGIN
    INSERT INTO messages (id, conversation_id, seq, sender_kind, sender_id, sender_name, content,
                          client_id, created_at, read_at, internal, mentions, attachments)
    VALUES (NEW.id, NEW.conversation_id, NEW.seq, NEW.sender_kind, NEW.sender_id,
            NEW.sender_name, NEW.content, NEW.client_id, NEW.created_at, NEW.read_at,
            NEW.internal, NEW.mentions, NEW.attachments);
    INSERT INTO message_docs (doc, message_id)
    SELECT COALESCE(MAX(doc) + 1, NEW.created_at * 1048576), NEW.id FROM message_docs
    WHERE doc >= NEW.created_at * 1048576 AND doc < (NEW.created_at + 1) * 1048576;
    INSERT INTO message_fts (rowid, words) VALUES (last_insert_rowid(), NEW.words);
END;

CREATE TRIGGER messages_unindex AFTER DELETE ON messages BEGIN
    DELETE FROM message_fts WHERE rowid = (SELECT doc FROM message_docs WHERE message_id = OLD.id);
    DELETE FROM message_docs WHERE message_id = OLD.id;
END;
