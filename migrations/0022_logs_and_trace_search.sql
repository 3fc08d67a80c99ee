-- Indexes for the logs explorer and trace search (OTLP and SDK data alike). The explorer pages newest
-- first per project (logs_project_timestamp, 0001) and narrows by level or trace id; trace search
-- lists a project's segments (transaction / root spans) by start time.
CREATE INDEX logs_project_level_timestamp ON logs (project_id, level, timestamp);
CREATE INDEX logs_project_trace ON logs (project_id, trace_id);
CREATE INDEX spans_project_segment_start ON spans (project_id, is_segment, start_timestamp);
-- Errors of a trace (trace search's error count, "errors in the same trace" from a log row).
CREATE INDEX events_project_trace ON events (project_id, trace_id);
