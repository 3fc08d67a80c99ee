-- Log records per project, 10-minute slot and level, counted in the group commit that stores them (the
-- same D1 transaction, so a retried flush never counts twice). The logs explorer's histogram reads
-- these instead of counting every record of its range; filters other than level still count records.
CREATE TABLE log_volume (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  slot INTEGER NOT NULL,
  level TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (project_id, slot, level)
) WITHOUT ROWID;
