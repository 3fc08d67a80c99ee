-- Failed web sign-ins, to throttle password guessing: per email and per client IP over a sliding window
-- (see src/ui/login-throttle.ts). A success clears the email's rows; old rows are pruned as new ones come.
CREATE TABLE ui_login_failures (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL COLLATE NOCASE,
  ip TEXT NOT NULL,
  at REAL NOT NULL
);
CREATE INDEX ui_login_failures_email ON ui_login_failures (email, at);
CREATE INDEX ui_login_failures_ip ON ui_login_failures (ip, at);
