-- What happened to an issue, as Sentry's activity lists it: notes users leave (Sentry's comments) and
-- the changes made through the API (status, assignment), each with who made it. Read by the issue's
-- activity and notes endpoints, newest first; deleted with its issue.
CREATE TABLE issue_activity (
  id INTEGER PRIMARY KEY,
  issue_id INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  user_id INTEGER,
  data TEXT NOT NULL,
  created_at REAL NOT NULL
);
CREATE INDEX issue_activity_issue ON issue_activity (issue_id, created_at);
