-- Web UI sign-in sessions. The cookie carries a random token; only its SHA-256 is stored. csrf_token is
-- the per-session secret every form POST must echo back. Times are unix seconds (REAL).
CREATE TABLE ui_sessions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  token_hash TEXT NOT NULL UNIQUE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at REAL NOT NULL,
  expires_at REAL NOT NULL,
  last_seen_at REAL NOT NULL
);
CREATE INDEX ui_sessions_user ON ui_sessions (user_id);
