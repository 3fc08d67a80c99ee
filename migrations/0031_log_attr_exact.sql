-- Logs explorer, `key:value` at a million records.
-- The attribute pair token becomes exact: `length(key):key=value` (the key's length first, so a key
-- holding `=` cannot pass for another pair), hex of its first 100 characters. A filter whose token is
-- shorter than that matches exactly the records holding the pair, and the explorer skips re-reading it.
DROP TRIGGER logs_search_insert;
DROP TRIGGER logs_search_delete;
DROP TABLE logs_attrs;
CREATE VIRTUAL TABLE logs_attrs USING fts5(pairs, content='', columnsize=0, detail=none, tokenize='ascii');
INSERT INTO logs_attrs (rowid, pairs)
  SELECT id, (SELECT group_concat('k' || hex(substr(length(key) || ':' || key || '=' || CAST(value AS TEXT), 1, 100)), ' ')
    FROM json_each(logs.attributes) WHERE value IS NOT NULL)
  FROM logs;
-- Written by the statement that inserts the record (the same group commit, the same transaction).
CREATE TRIGGER logs_search_insert AFTER INSERT ON logs
BEGIN
  INSERT INTO logs_text (rowid, body_text) VALUES (NEW.id, NEW.body);
  INSERT INTO logs_attrs (rowid, pairs) VALUES (NEW.id, (
    SELECT group_concat('k' || hex(substr(length(key) || ':' || key || '=' || CAST(value AS TEXT), 1, 100)), ' ')
    FROM json_each(NEW.attributes) WHERE value IS NOT NULL));
END;
-- A contentless table forgets a row only when told its original text.
CREATE TRIGGER logs_search_delete AFTER DELETE ON logs
BEGIN
  INSERT INTO logs_text (logs_text, rowid, body_text) VALUES ('delete', OLD.id, OLD.body);
  INSERT INTO logs_attrs (logs_attrs, rowid, pairs) VALUES ('delete', OLD.id, (
    SELECT group_concat('k' || hex(substr(length(key) || ':' || key || '=' || CAST(value AS TEXT), 1, 100)), ' ')
    FROM json_each(OLD.attributes) WHERE value IS NOT NULL));
END;
-- The histogram of an exact attribute filter counts its candidates by (project, time, level): this
-- narrow index holds exactly those, so it reads no record. One more index entry per record.
CREATE INDEX logs_id_time_level ON logs (id, project_id, timestamp, level);
