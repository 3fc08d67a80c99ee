-- How far each project's spool has been written to D1: the highest spool sequence number a group commit
-- wrote, updated in the same D1 transaction as the rows. After a commit whose answer was lost (a timeout
-- that committed), the project's Durable Object reads it and skips what is already stored, so a retried
-- flush never writes an envelope twice. `epoch` names one spool (a Durable Object's storage): a new
-- object starts its numbering again under a new epoch.
CREATE TABLE spool_marks (
  project_id INTEGER NOT NULL,
  epoch TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (project_id, epoch)
) WITHOUT ROWID;
