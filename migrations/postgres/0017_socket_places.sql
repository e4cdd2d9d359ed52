-- Live sockets per credential across nodes (issue 27): one row per socket, written by the node
-- that holds it, so that a credential's cap counts every node's sockets. A node that stops
-- reporting its presence (it died) no longer counts, and its rows are swept. A single SQLite
-- node counts in memory.
CREATE TABLE socket_places (
    place_id TEXT PRIMARY KEY,
    key      TEXT NOT NULL,
    node_id  TEXT NOT NULL,
    since    BIGINT NOT NULL
);
CREATE INDEX socket_places_key ON socket_places (key);
CREATE INDEX socket_places_node ON socket_places (node_id);
