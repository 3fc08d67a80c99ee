-- Indexes for the logs explorer and trace search (OTLP and SDK data alike).
-- Logs: the explorer pages a project's records newest first and draws their volume by level over the
-- time range. (project_id, timestamp, level) serves both from the index alone (the histogram counts
-- without reading rows) and replaces 0001's (project_id, timestamp), so a log record still costs one
-- index entry for it; (project_id, trace_id) serves "logs of this trace".
DROP INDEX logs_project_timestamp;
CREATE INDEX logs_project_timestamp_level ON logs (project_id, timestamp, level);
CREATE INDEX logs_project_trace ON logs (project_id, trace_id);
-- Spans: trace search lists a project's segments (transactions, root spans) by start time. Partial, so
-- only segments pay an index entry, not every child span.
CREATE INDEX spans_project_segment_start ON spans (project_id, start_timestamp) WHERE is_segment = 1;
-- Errors of a trace (trace search's error count, the trace page, "errors in the same trace").
CREATE INDEX events_project_trace ON events (project_id, trace_id);
