-- Search (issue 25), newest first without reading every match: an index by time, which a
-- search walks newest first (checking each message against the query) when the query's words
-- are common, and stops once it has a page. For rare words the planner keeps to the text index.
CREATE INDEX messages_created ON messages (created_at, id);
