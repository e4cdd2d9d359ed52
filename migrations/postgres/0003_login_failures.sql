-- Sign-in attempts the limiter counts, kept in the database so that a limit holds across nodes
-- and restarts. One row per attempt and key (client address, email or device); a success or a
-- refund deletes its rows, and rows older than the window are pruned.
CREATE TABLE login_failures (
    attempt TEXT NOT NULL,
    key     TEXT NOT NULL,
    at      BIGINT NOT NULL,
    PRIMARY KEY (attempt, key)
);
CREATE INDEX login_failures_key ON login_failures (key, at);
CREATE INDEX login_failures_at ON login_failures (at);
