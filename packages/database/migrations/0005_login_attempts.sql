-- Login attempts per client IP in a one-minute window that starts at the window's first
-- attempt: one row per IP, shared by every Front End (the per-IP rate limit).
CREATE TABLE login_ip_attempts (
  ip           text        PRIMARY KEY,
  window_start timestamptz NOT NULL DEFAULT now(),
  attempts     integer     NOT NULL
);
CREATE INDEX login_ip_attempts_window_start ON login_ip_attempts (window_start);
