-- User feedback API: reports are listed per project and looked up by (project, event id) so a retried
-- POST does not store a second report. User reports are rare, so the index entry costs little; it is
-- not on the error-event ingest path.
CREATE INDEX user_reports_project_event ON user_reports (project_id, event_id);
