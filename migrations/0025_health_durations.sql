-- Durations of healthy sessions that exited (Sentry's session.duration), per project × hour × release ×
-- environment, as a histogram: `bucket` b holds sessions lasting 2^(b/4) to 2^((b+1)/4) seconds, so
-- percentiles come within ±9% without storing one row per session.
CREATE TABLE release_health_durations (
  project_id INTEGER NOT NULL,
  hour INTEGER NOT NULL,
  release TEXT NOT NULL,
  environment TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (project_id, hour, release, environment, bucket)
) WITHOUT ROWID;
