-- A browser that signed in to an operator account before: it may sign in to that account even
-- while the account's email is locked by failed attempts from elsewhere. Only the SHA-256 of
-- the cookie value is stored.
CREATE TABLE operator_devices (
    token_hash   TEXT PRIMARY KEY,
    operator_id  TEXT NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL
);
CREATE INDEX operator_devices_operator ON operator_devices (operator_id);

-- When the browser last used its session: an idle session ends before its maximum age.
ALTER TABLE operator_sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
UPDATE operator_sessions SET last_seen_at = created_at;
