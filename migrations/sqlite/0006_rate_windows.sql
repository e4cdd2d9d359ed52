-- Request counts per key and per minute for the limits that must hold across nodes (the customer
-- doors of the widget). Used on PostgreSQL; a single SQLite node counts in memory.
CREATE TABLE rate_windows (
    key          TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits         BIGINT NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_windows_start ON rate_windows (window_start);
