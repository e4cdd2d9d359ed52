-- Session reports (issue 25): how a remote-support session ended, as its operator said when
-- ending it (`resolved`, `unresolved` or `unknown`), and their notes. NULL until reported; an
-- ended session without a report reads as `unknown`.
ALTER TABLE support_sessions ADD COLUMN outcome TEXT;
ALTER TABLE support_sessions ADD COLUMN report TEXT;
