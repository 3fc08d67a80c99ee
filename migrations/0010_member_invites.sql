-- Invitations to an organization. Adding someone by email no longer creates a membership: it creates an
-- invitation, which grants nothing (no query that decides access reads this table) until the account
-- with that email accepts it with the invite token. Only the token's SHA-256 is stored; the link
-- /accept-invite/{id}/{token}/ is shown once to the inviter. Ids start at 10^12 (assigned on insert,
-- see src/db/members.ts) so that an invitation's member id never equals a user id, which is what a
-- member's id is once accepted.
CREATE TABLE member_invites (
  id INTEGER PRIMARY KEY,
  organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  email TEXT NOT NULL COLLATE NOCASE,
  role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  token_hash TEXT NOT NULL,
  invited_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at REAL NOT NULL,
  expires_at REAL NOT NULL,
  UNIQUE (organization_id, email)
);

-- Sign-in attempt counters per fixed window, replacing the failure log: one row per key
-- ('pair:<email> <ip>', 'email:<email>', 'ip:<ip>'), incremented in one transaction with the check so
-- concurrent attempts see each other (see src/db/login-attempts.ts).
DROP TABLE ui_login_failures;
CREATE TABLE ui_login_counters (
  key TEXT PRIMARY KEY,
  window_start REAL NOT NULL,
  count INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX ui_login_counters_window ON ui_login_counters (window_start);
