-- Per-release figures (new issues, first event, regressions) from index ranges instead of a walk over
-- every issue of the release's projects: the releases list grouped a project's issues by first_release
-- and last_release, ~90 ms per page at 50,000 issues.
-- first_release is set once, by its own statement that only touches issues still without one, so this
-- index costs no row on the group commit's counter updates (an index on a column an UPDATE's SET list
-- names costs a written row even when the value is unchanged).
CREATE INDEX issues_project_first_release ON issues (project_id, first_release, first_seen);
-- Regressed issues are few, and only they carry an entry: counter updates of other issues write none.
CREATE INDEX issues_project_regressed_release ON issues (project_id, last_release) WHERE substatus = 'regressed';
