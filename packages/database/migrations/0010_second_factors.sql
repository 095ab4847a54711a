-- Issue 20 §1: TOTP with recovery codes, as a second factor after the password.
-- Every row is keyed by the normalized email (lower(email)), like login_failures.

-- One authenticator app per account. `secret_box` is the TOTP secret sealed with AES-256-GCM
-- under MFA_ENCRYPTION_KEY ("v1:<key id>:<iv>:<ciphertext>:<tag>"): the database never holds it
-- in clear. `enabled_at` is NULL while enrolment waits for its first valid code. `last_step`
-- is the last 30-second time step a code was accepted for: a code of that step or an earlier
-- one is refused, on every Front End, because this row lives on the primary.
CREATE TABLE totp_credentials (
  email      text        PRIMARY KEY,
  secret_box text        NOT NULL,
  key_id     text        NOT NULL,
  last_step  bigint      NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  enabled_at timestamptz
);
CREATE INDEX totp_credentials_key_id ON totp_credentials (key_id);

-- Ten one-time codes per account, as the hex SHA-256 of the code (80 random bits each, so a
-- fast hash is enough); a used code keeps its row with `used_at` until the set is replaced.
CREATE TABLE recovery_codes (
  email     text        NOT NULL,
  code_hash text        NOT NULL,
  used_at   timestamptz,
  PRIMARY KEY (email, code_hash)
);

-- A login whose password was right and whose second factor is still due. Only the SHA-256 of
-- the browser's random token is stored; it lives five minutes and is deleted when it is used.
CREATE TABLE pending_logins (
  token_hash text        PRIMARY KEY,
  email      text        NOT NULL,
  device     text,
  expires_at timestamptz NOT NULL
);
CREATE INDEX pending_logins_expires_at ON pending_logins (expires_at);
CREATE INDEX pending_logins_email ON pending_logins (email);

-- The audit events allowed become rows of a table instead of a CHECK list, so a migration adds
-- events with an INSERT instead of restating the whole list. The table starts with whatever the
-- check allows now (read from it, not restated, so a migration that added its own events before
-- this one keeps them), plus the second factors' events.
CREATE TABLE auth_event_kinds (event text PRIMARY KEY);
INSERT INTO auth_event_kinds (event)
SELECT m[1] FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') AS m
WHERE c.conname = 'auth_events_event_check' AND c.conrelid = 'auth_events'::regclass
UNION
SELECT unnest(ARRAY['totp_enrolment_started', 'totp_enabled', 'totp_disabled', 'second_factor_success',
  'second_factor_failure', 'recovery_code_used', 'recovery_codes_replaced', 'second_factor_reset']);
ALTER TABLE auth_events DROP CONSTRAINT auth_events_event_check;
-- NOT VALID: every row already there passed the check, so the table need not be scanned while locked.
ALTER TABLE auth_events ADD CONSTRAINT auth_events_event_kind FOREIGN KEY (event) REFERENCES auth_event_kinds (event) NOT VALID;

-- True when the account must pass a second factor after its password.
CREATE FUNCTION has_second_factor(p_email_key text) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM totp_credentials WHERE email = p_email_key AND enabled_at IS NOT NULL)
$$;

-- The end of a login that passed every factor: the session, the counter it was counted on
-- cleared, its open attempts ended, and the login audited (create_session's login branch, 0007).
CREATE FUNCTION complete_login(
  p_token_hash text, p_email text, p_email_key text, p_seconds double precision, p_ip text, p_user_agent text, p_device text
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM insert_session(p_token_hash, p_email, p_seconds, p_ip, p_user_agent);
  IF p_device IS NULL THEN
    DELETE FROM login_failures WHERE email = p_email_key;
  ELSE
    DELETE FROM login_device_failures WHERE email = p_email_key AND device = p_device;
  END IF;
  DELETE FROM login_attempts_open WHERE email = p_email_key AND device IS NOT DISTINCT FROM p_device;
  INSERT INTO auth_events (event, email, ip, user_agent) VALUES ('login_success', p_email_key, p_ip, p_user_agent);
END $$;

-- SESSION_CREATE as in 0007, except that a login of an account with a second factor is refused:
-- such a session only starts in the second-factor step (complete_login). Same signature, so a
-- Back End from before this migration gets the refusal too. Outcomes: created, second_factor_required.
CREATE OR REPLACE FUNCTION create_session(
  p_request_id text, p_token_hash text, p_email text, p_email_key text, p_seconds double precision,
  p_ip text, p_user_agent text, p_at_login boolean, p_device text
) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_stored jsonb := claim_request(p_request_id);
BEGIN
  IF v_stored IS NOT NULL THEN RETURN v_stored; END IF;
  IF NOT p_at_login THEN
    PERFORM insert_session(p_token_hash, p_email, p_seconds, p_ip, p_user_agent);
  ELSIF has_second_factor(p_email_key) THEN
    RETURN store_reply(p_request_id, '"second_factor_required"');
  ELSE
    PERFORM complete_login(p_token_hash, p_email, p_email_key, p_seconds, p_ip, p_user_agent, p_device);
  END IF;
  RETURN store_reply(p_request_id, '"created"');
END $$;
