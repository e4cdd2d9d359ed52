-- Files in chats. A file is uploaded first (its row, then its content in chunks) and attached to
-- a message later; its metadata is copied into the message as JSON, so reading messages needs
-- no join. Content lives in the database, so one backup holds everything and every node serves
-- every file.

ALTER TABLE messages ADD COLUMN attachments TEXT;

-- Bytes of files (thumbnails included) the conversation holds: the quota, kept by one atomic
-- update per stored or deleted file.
ALTER TABLE conversations ADD COLUMN files_bytes BIGINT NOT NULL DEFAULT 0;

CREATE TABLE files (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    -- Who uploaded it: `operator`, `guest` or `customer`, and the operator's, session's or
    -- customer's id. Only the uploader may attach it.
    uploader_kind   TEXT NOT NULL,
    uploader_id     TEXT NOT NULL,
    name            TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size            BIGINT NOT NULL,
    width           INTEGER,
    height          INTEGER,
    thumbnail_size  BIGINT,
    -- Every chunk is written and the bytes are counted in the conversation's quota.
    stored          BOOLEAN NOT NULL DEFAULT FALSE,
    message_id      TEXT,
    -- Attached to a private note: operators only.
    internal        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      BIGINT NOT NULL
);
CREATE INDEX files_conversation ON files (conversation_id);
-- The sweep of uploads never attached walks this.
CREATE INDEX files_unattached ON files (created_at) WHERE message_id IS NULL;

-- A file's content (thumbnail 0) and its thumbnail (1), in numbered chunks.
CREATE TABLE file_chunks (
    file_id   TEXT NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    thumbnail BOOLEAN NOT NULL,
    idx       INTEGER NOT NULL,
    data      BYTEA NOT NULL,
    PRIMARY KEY (file_id, thumbnail, idx)
);
-- Files are mostly compressed already (images, PDFs): store chunks out of line without trying
-- to compress them again.
ALTER TABLE file_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
