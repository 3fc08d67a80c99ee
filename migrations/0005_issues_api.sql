-- Issues API: Sentry-style short ids numbered per project, and the details of how an issue was ignored.

-- Per-project issue number shown as `<PROJECT-SLUG>-<number in base 36>`; assigned on insert.
ALTER TABLE issues ADD COLUMN short_id INTEGER;
-- JSON of an ignore (snooze): {"ignoreUntil": <unix seconds>, "ignoreCount", "ignoreWindow",
-- "ignoreUserCount", "ignoreUserWindow", "countAtIgnore", "usersAtIgnore"}; NULL otherwise.
ALTER TABLE issues ADD COLUMN status_details TEXT;
CREATE INDEX issues_project_short_id ON issues (project_id, short_id);

UPDATE issues SET short_id = (
  SELECT COUNT(*) FROM issues AS earlier WHERE earlier.project_id = issues.project_id AND earlier.id <= issues.id
);

CREATE TRIGGER issues_assign_short_id AFTER INSERT ON issues WHEN NEW.short_id IS NULL
BEGIN
  UPDATE issues
  SET short_id = (SELECT COALESCE(MAX(short_id), 0) + 1 FROM issues WHERE project_id = NEW.project_id)
  WHERE id = NEW.id;
END;
