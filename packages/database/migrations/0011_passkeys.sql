-- Issue 20 §2: passkeys (WebAuthn), as a second factor after the password and for a login alone.
-- Keyed by the normalized email (lower(email)), like totp_credentials.

-- One row per passkey. `id` is the credential id (base64url) the authenticator made: unique
-- across accounts, so a passwordless login finds the account from it. `public_key` is the COSE
-- key as the attestation gave it; `transports` the browser's hints, comma-separated (schema-checked names). `counter` is the signature counter last seen: an assertion
-- whose counter does not grow (when either is non-zero) is a cloned authenticator and refused.
-- `backup_eligible` is fixed at registration (the spec's BE flag must not change afterwards);
-- `backed_up` (BS) may change at each use and is updated then.
CREATE TABLE webauthn_credentials (
  id              text        PRIMARY KEY,
  email           text        NOT NULL,
  public_key      bytea       NOT NULL,
  counter         bigint      NOT NULL DEFAULT 0,
  transports      text        NOT NULL DEFAULT '',
  backup_eligible boolean     NOT NULL,
  backed_up       boolean     NOT NULL,
  name            text        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  last_used_at    timestamptz
);
CREATE INDEX webauthn_credentials_email ON webauthn_credentials (email);

-- The WebAuthn user handle of an account: 32 random bytes, made at its first passkey, so that
-- authenticators keep one entry per account and the email is never given to them as an id.
CREATE TABLE webauthn_user_handles (
  email  text PRIMARY KEY,
  handle text NOT NULL UNIQUE
);

-- Challenges handed out and not yet answered. Only the SHA-256 of the challenge is kept, bound
-- to what asked for it: `bound_to` is the hash of the session (registration), of the pending
-- login (second factor) or of the browser's passwordless-login token. A challenge is deleted by
-- the answer that names it, right or wrong (single use), and is worth nothing after `expires_at`.
CREATE TABLE webauthn_challenges (
  challenge_hash text        PRIMARY KEY,
  purpose        text        NOT NULL CHECK (purpose IN ('register', 'second_factor', 'passwordless')),
  bound_to       text        NOT NULL,
  expires_at     timestamptz NOT NULL
);
CREATE INDEX webauthn_challenges_bound_to ON webauthn_challenges (bound_to);
CREATE INDEX webauthn_challenges_expires_at ON webauthn_challenges (expires_at);

INSERT INTO auth_event_kinds (event) VALUES
  ('passkey_added'), ('passkey_removed'), ('passkey_used'), ('passkey_failure'), ('passkey_login');

-- An account with a passkey gets the second step after its password too, even without TOTP.
-- Same signature as 0010's, so create_session, attempt_login's caller and the reset/verify
-- links (which start no session for such an account) follow without change.
CREATE OR REPLACE FUNCTION has_second_factor(p_email_key text) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM totp_credentials WHERE email = p_email_key AND enabled_at IS NOT NULL)
      OR EXISTS (SELECT 1 FROM webauthn_credentials WHERE email = p_email_key)
$$;
