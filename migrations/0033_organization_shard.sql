-- Sharding by organization (docs/scaling.md): the D1 binding that holds the organization's events,
-- issues, spans, logs, sessions and outcomes. 'DB' is the control-plane database itself, so every
-- organization of a deployment made before shards existed stays where its data already is.
-- Every migration applies to every shard: on a shard the control-plane tables stay empty apart from
-- the anchor rows its foreign keys need; on the control plane this column is the one that is read.
ALTER TABLE organizations ADD COLUMN shard TEXT NOT NULL DEFAULT 'DB';
