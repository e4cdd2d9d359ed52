-- Issue 27: one index fewer for every stored message to write. `messages_unread` (conversation,
-- sender kind, read time) served the unread counts before `messages_unread_only` (0004, kept by
-- 0018) did. Every statement that counts or marks unread messages names the sender kinds and
-- `read_at IS NULL`, which the partial index answers while holding only unread messages; a
-- conversation's messages by seq have their unique index. So a new message wrote a leaf of this
-- index, in its conversation's place, for no reader.
DROP INDEX messages_unread;
