-- Issue 19: links sent by email (password reset first), and the outbox that carries the mail.

-- One row per link ever sent. Only the SHA-256 of the token is stored: the link itself exists
-- in the mail (and in the outbox row until the mail is sent). `purpose` binds a token to its
-- flow, so a token of one kind can never be spent in another. `email` is the normalized key.
CREATE TABLE account_tokens (
  token_hash text        PRIMARY KEY,
  purpose    text        NOT NULL CHECK (purpose IN ('password_reset')),
  email      text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz
);
CREATE INDEX account_tokens_email ON account_tokens (email, purpose, created_at DESC);
CREATE INDEX account_tokens_expires_at ON account_tokens (expires_at);

-- Mail to send, written in the same transaction as what it announces (the transactional outbox):
-- a committed token always gets its mail, an aborted one never does. `data` holds what the
-- template needs (the link's token among it) and is cleared once the mail is sent.
-- published_at: handed to the mail queue (publishes: how often; an unsent mail is published again
-- after a while, in case its message was lost); claimed_until/claimed_by: a Mailer is sending it;
-- sent_at: the SMTP server accepted it (a redelivered copy is then acknowledged unsent).
CREATE TABLE outbox (
  id            uuid        PRIMARY KEY,
  template      text        NOT NULL,
  recipient     text        NOT NULL,
  data          jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  published_at  timestamptz,
  publishes     integer     NOT NULL DEFAULT 0,
  claimed_by    text,
  claimed_until timestamptz,
  sent_at       timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (created_at) WHERE published_at IS NULL;
CREATE INDEX outbox_sent_at ON outbox (sent_at);

ALTER TABLE auth_events DROP CONSTRAINT auth_events_event_check;
ALTER TABLE auth_events ADD CONSTRAINT auth_events_event_check CHECK (event IN
  ('register', 'login_success', 'login_failure', 'lockout', 'device_lockout', 'logout', 'logout_everywhere',
   'password_reset_requested', 'password_reset', 'password_change', 'session_end', 'account_deleted')) NOT VALID;
