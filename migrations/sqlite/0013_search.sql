-- Search (issue 25): every message's words, indexed in the transaction that stores it.
--
-- The words are worked out in Rust (`switchboard::domain::search`): folded to lower case without
-- accents, joined by single spaces. So the tokenizer only splits on spaces; its categories are
-- the ones a word is made of (letters, digits, marks), so it never splits one.
--
-- A message's document number maps it to its index entry. `messages` has no integer key of its
-- own, and its implicit rowid may change when the database is vacuumed.
CREATE TABLE message_docs (
    doc        INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE
);

-- Contentless: the index keeps no copy of the text, and entries can still be deleted.
CREATE VIRTUAL TABLE message_fts USING fts5(
    words,
    content = '',
    contentless_delete = 1,
    tokenize = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
-- A deleted message's words leave the index's pages at once (an erased customer's included),
-- not at the next merge.
INSERT INTO message_fts (message_fts, rank) VALUES ('secure-delete', 1);

-- The writer stores a message and its index entry in one statement: it inserts into this view,
-- whose trigger inserts the message, numbers it and indexes its words. (A column added to
-- `messages` later must be added to the trigger's insert too.)
CREATE VIEW messages_indexed AS SELECT messages.*, '' AS words FROM messages;
CREATE TRIGGER messages_indexed_insert INSTEAD OF INSERT ON messages_indexed BEGIN
    INSERT INTO messages (id, conversation_id, seq, sender_kind, sender_id, sender_name, content,
                          client_id, created_at, read_at, internal, mentions, attachments)
    VALUES (NEW.id, NEW.conversation_id, NEW.seq, NEW.sender_kind, NEW.sender_id,
            NEW.sender_name, NEW.content, NEW.client_id, NEW.created_at, NEW.read_at,
            NEW.internal, NEW.mentions, NEW.attachments);
    INSERT INTO message_docs (message_id) VALUES (NEW.id);
    INSERT INTO message_fts (rowid, words) VALUES (last_insert_rowid(), NEW.words);
END;

-- Whatever deletes a message (its conversation's deletion included) deletes its entry.
CREATE TRIGGER messages_unindex AFTER DELETE ON messages BEGIN
    DELETE FROM message_fts WHERE rowid = (SELECT doc FROM message_docs WHERE message_id = OLD.id);
    DELETE FROM message_docs WHERE message_id = OLD.id;
END;

-- Customers' names and emails, and sessions' titles: their folded words, each written by the
-- statement that writes its source column (NULL where the source is NULL, or until a row
-- written before this migration is caught up). Searched with LIKE on ' words ': small tables.
ALTER TABLE customers ADD COLUMN name_words TEXT;
ALTER TABLE customers ADD COLUMN email_words TEXT;
ALTER TABLE support_sessions ADD COLUMN title_words TEXT;
