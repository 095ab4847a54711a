-- Server-side sessions. Only the SHA-256 of the cookie's random id is stored.
CREATE TABLE sessions (
  token_hash   text        PRIMARY KEY,
  email        text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz,
  ip           text,
  user_agent   text
);
CREATE INDEX sessions_email ON sessions (lower(email)) WHERE revoked_at IS NULL;
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- Consecutive failed logins per normalized email, shared by every Front End replica.
CREATE TABLE login_failures (
  email        text        PRIMARY KEY,
  failures     integer     NOT NULL,
  locked_until timestamptz,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Who did what, when, from where. Never a password, a hash or a session id.
CREATE TABLE auth_events (
  id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  event      text        NOT NULL CHECK (event IN
               ('register', 'login_success', 'login_failure', 'lockout', 'logout', 'logout_everywhere')),
  email      text        NOT NULL,
  ip         text,
  user_agent text
);
CREATE INDEX auth_events_email_at ON auth_events (lower(email), at DESC);
CREATE INDEX auth_events_at ON auth_events (at DESC);
