-- Search (issue 25): every message's words, indexed in the transaction that stores it.
--
-- The words are worked out in Rust (`switchboard::domain::search`): folded to lower case without
-- accents. The insert writes them as a tsvector literal, so PostgreSQL's text search parser,
-- dictionaries and locale take no part; queries are tsquery literals over the same words.
-- NULL until indexed: messages stored before this migration are indexed in the background.
ALTER TABLE messages ADD COLUMN search tsvector;
CREATE INDEX messages_search ON messages USING gin (search);
-- What is left to index: nothing once done (a message without words has an empty tsvector).
CREATE INDEX messages_unindexed ON messages (id) WHERE search IS NULL;

-- Customers' names and emails, and sessions' titles: their folded words, each written by the
-- statement that writes its source column (NULL where the source is NULL, or until a row
-- written before this migration is caught up). Searched with LIKE on ' words ': small tables.
ALTER TABLE customers ADD COLUMN name_words TEXT;
ALTER TABLE customers ADD COLUMN email_words TEXT;
ALTER TABLE support_sessions ADD COLUMN title_words TEXT;
