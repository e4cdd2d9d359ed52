-- A team: roles, deactivation and when each operator was last seen. Existing installations:
-- the oldest operator becomes the owner and every other one an admin (before roles, everyone
-- could do everything), so nothing changes for them.
ALTER TABLE operators ADD COLUMN role TEXT NOT NULL DEFAULT 'admin'
    CHECK (role IN ('owner', 'admin', 'agent'));
ALTER TABLE operators ADD COLUMN deactivated_at BIGINT;
ALTER TABLE operators ADD COLUMN last_seen_at BIGINT;
UPDATE operators SET role = 'owner'
    WHERE id = (SELECT id FROM operators ORDER BY created_at, id LIMIT 1);
UPDATE operators SET last_seen_at = (
    SELECT MAX(s.last_seen_at) FROM operator_sessions s WHERE s.operator_id = operators.id
);
-- Exactly one owner: a second one cannot be written.
CREATE UNIQUE INDEX operators_one_owner ON operators (role) WHERE role = 'owner';

-- An operator's notification preferences (JSON), kept on the server so they follow them.
ALTER TABLE operators ADD COLUMN preferences TEXT;

-- Sign-ins get a public id (for "sign out" on one of them), the browser and the address they
-- came from. Earlier rows take an id made from their hash, in the UUID form.
ALTER TABLE operator_sessions ADD COLUMN id TEXT;
ALTER TABLE operator_sessions ADD COLUMN browser TEXT;
ALTER TABLE operator_sessions ADD COLUMN address TEXT;
UPDATE operator_sessions SET id = substr(token_hash, 1, 8) || '-' || substr(token_hash, 9, 4)
    || '-' || substr(token_hash, 13, 4) || '-' || substr(token_hash, 17, 4) || '-'
    || substr(token_hash, 21, 12);
CREATE UNIQUE INDEX operator_sessions_id ON operator_sessions (id);

-- Invitations: only the SHA-256 of the link's token is stored. One pending invitation per
-- address: a new one ends the one before ('replaced').
CREATE TABLE invitations (
    id          TEXT PRIMARY KEY,
    email       TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'agent')),
    token_hash  TEXT NOT NULL UNIQUE,
    invited_by  TEXT REFERENCES operators (id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    ended_at    BIGINT,
    ended_how   TEXT CHECK (ended_how IN ('accepted', 'revoked', 'replaced')),
    email_state TEXT NOT NULL DEFAULT 'sending' CHECK (email_state IN ('sending', 'sent', 'failed'))
);
CREATE INDEX invitations_email ON invitations (email, ended_at);

-- Password reset links: only the SHA-256 of the token; 30 minutes, one use.
CREATE TABLE password_resets (
    token_hash  TEXT PRIMARY KEY,
    operator_id TEXT NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX password_resets_operator ON password_resets (operator_id);

-- The audit log: append-only (nothing updates or deletes a row). Names and labels are copied
-- at the time, so an entry reads the same after a rename. Never a password, token, link or
-- message content.
CREATE TABLE audit_log (
    id           TEXT PRIMARY KEY,
    at           BIGINT NOT NULL,
    action       TEXT NOT NULL,
    actor_id     TEXT,
    actor_name   TEXT,
    target_kind  TEXT,
    target_id    TEXT,
    target_label TEXT,
    address      TEXT,
    detail       TEXT NOT NULL
);
CREATE INDEX audit_log_time ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at DESC);
CREATE INDEX audit_log_action ON audit_log (action, at DESC);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
