-- Issue 17: REGISTER with EMAIL_VERIFICATION on (the default) as one statement as well. It was
-- nine (BEGIN, register_account, four steps of the first link, its mail, its audit row, COMMIT),
-- and the outbox relay added four more per mail; under `npm run bench` that made a registration
-- cost the Back End 2.8 ms and PostgreSQL 1.8 ms of CPU against 1.0 and 0.7 with no link.
--
-- The link's token, its SHA-256 and the mail's id are made by the Back End (the token must
-- never be derivable from what the database stores); the rest happens here, in the same
-- transaction as the account, so an account exists exactly with its first link and mail.
-- Returns {"outcome": <register_account's outcome>, "queued": <whether a mail was queued>}.
CREATE FUNCTION register_account_with_link(
  p_request_id text, p_email text, p_email_key text, p_hash text,
  p_token_hash text, p_session_seconds double precision,
  p_ip text, p_user_agent text, p_ip_limit integer,
  p_link_token text, p_link_token_hash text, p_link_hours double precision, p_mail_id uuid
) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_outcome jsonb := register_account(p_request_id, p_email, p_email_key, p_hash, p_token_hash,
                                      p_session_seconds, p_ip, p_user_agent, p_ip_limit);
  v_recipient text;
  v_expires timestamptz;
BEGIN
  IF v_outcome NOT IN ('"created"', '"created_with_session"') THEN
    RETURN jsonb_build_object('outcome', v_outcome, 'queued', false);
  END IF;
  -- A redelivered REGISTER gets its stored "created" again; the link its first copy queued is
  -- there, so no second one goes out. An account deleted since then gets none.
  IF EXISTS (SELECT 1 FROM account_tokens WHERE email = p_email_key AND purpose = 'email_verification') THEN
    RETURN jsonb_build_object('outcome', v_outcome, 'queued', false);
  END IF;
  SELECT email INTO v_recipient FROM users
  WHERE lower(email) = p_email_key AND email_verified_at IS NULL FOR SHARE;
  IF NOT FOUND THEN RETURN jsonb_build_object('outcome', v_outcome, 'queued', false); END IF;

  INSERT INTO account_tokens (token_hash, purpose, email, expires_at)
  VALUES (p_link_token_hash, 'email_verification', p_email_key, now() + make_interval(secs => p_link_hours * 3600))
  RETURNING expires_at INTO v_expires;
  -- expiresAt as JavaScript's toISOString writes it, which is what the Mailer's templates read.
  INSERT INTO outbox (id, template, recipient, data)
  VALUES (p_mail_id, 'email_verification', v_recipient, jsonb_build_object(
    'token', p_link_token,
    'expiresAt', to_char(v_expires AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')));
  INSERT INTO auth_events (event, email, ip, user_agent)
  VALUES ('email_verification_requested', p_email_key, p_ip, p_user_agent);
  RETURN jsonb_build_object('outcome', v_outcome, 'queued', true);
END $$;
