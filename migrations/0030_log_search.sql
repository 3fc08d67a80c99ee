-- Logs explorer filters at a million records and more.
-- Environment + release: the page walks this index newest first under both equalities, and the
-- histogram counts from it alone (level is in it). One more index entry per record.
CREATE INDEX logs_project_env_release ON logs (project_id, environment, release, timestamp, level);
-- Free text: every three-character sequence of the body (trigram tokenizer, case folded), no positions
-- and no stored copy of the text (contentless, detail=none): a prefilter only, the exact substring
-- check runs on the record. The rowid is the record's id.
CREATE VIRTUAL TABLE logs_text USING fts5(body_text, content='', columnsize=0, detail=none, tokenize='trigram');
-- Attributes: one token per top-level `key=value` pair of the record, the hex of its first 100
-- characters with the value as SQLite's CAST(... AS TEXT) spells it (what the explorer's exact
-- comparison reads), so `key:value` is one term lookup; the exact comparison still runs on the record.
CREATE VIRTUAL TABLE logs_attrs USING fts5(pairs, content='', columnsize=0, detail=none, tokenize='ascii');
-- Written by the statement that inserts the record (the same group commit, the same transaction).
CREATE TRIGGER logs_search_insert AFTER INSERT ON logs
BEGIN
  INSERT INTO logs_text (rowid, body_text) VALUES (NEW.id, NEW.body);
  INSERT INTO logs_attrs (rowid, pairs) VALUES (NEW.id, (
    SELECT group_concat('k' || hex(substr(key || '=' || CAST(value AS TEXT), 1, 100)), ' ')
    FROM json_each(NEW.attributes) WHERE value IS NOT NULL));
END;
-- A contentless table forgets a row only when told its original text.
CREATE TRIGGER logs_search_delete AFTER DELETE ON logs
BEGIN
  INSERT INTO logs_text (logs_text, rowid, body_text) VALUES ('delete', OLD.id, OLD.body);
  INSERT INTO logs_attrs (logs_attrs, rowid, pairs) VALUES ('delete', OLD.id, (
    SELECT group_concat('k' || hex(substr(key || '=' || CAST(value AS TEXT), 1, 100)), ' ')
    FROM json_each(OLD.attributes) WHERE value IS NOT NULL));
END;
