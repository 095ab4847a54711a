-- Issue 17 §2 and §3. A login that ends without a verdict (shed, timed out) is refunded: its
-- LOGIN_ATTEMPT is kept open until then, so exactly what it counted can be undone. And a browser
-- that has logged in before (a valid device cookie, OWASP's "device cookies") has its own failure
-- budget per account, so failures from untrusted clients cannot lock the owner's known device.
-- Functions of 0006 keep their signatures: a Back End from before this migration still works.

-- Device lockouts are audited as their own kind. NOT VALID: every row already there passed the
-- narrower check, so the table need not be scanned while it is locked.
ALTER TABLE auth_events DROP CONSTRAINT auth_events_event_check;
ALTER TABLE auth_events ADD CONSTRAINT auth_events_event_check CHECK (event IN
  ('register', 'login_success', 'login_failure', 'lockout', 'device_lockout', 'logout', 'logout_everywhere')) NOT VALID;

-- Failures in a row of one trusted device (the SHA-256 of its cookie's nonce, never the cookie)
-- for one account: the same ladder as login_failures, which now counts untrusted clients only.
CREATE TABLE login_device_failures (
  email        text        NOT NULL,
  device       text        NOT NULL,
  failures     integer     NOT NULL,
  locked_until timestamptz,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (email, device)
);
CREATE INDEX login_device_failures_updated_at ON login_device_failures (updated_at);

-- A LOGIN_ATTEMPT whose login has not ended yet, keyed by the Front End's id for that login.
-- `counted`: a failure was counted (false when the account or device was locked already);
-- `locked_set`: the lock this attempt started, if any; `ip_window`: the IP window it was counted in.
CREATE TABLE login_attempts_open (
  attempt_id text        PRIMARY KEY,
  email      text        NOT NULL,
  device     text,
  counted    boolean     NOT NULL,
  locked_set timestamptz,
  ip         text,
  ip_window  timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_open_email ON login_attempts_open (email);
CREATE INDEX login_attempts_open_created_at ON login_attempts_open (created_at);

-- The count after one more failure: unchanged while locked (such an attempt is not counted),
-- from 1 again once the count decayed. Shared by the untrusted and the device counters.
CREATE FUNCTION next_failure_count(p_failures integer, p_updated_at timestamptz, p_locked_until timestamptz, p_reset_seconds double precision)
RETURNS integer LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN p_locked_until > now() THEN p_failures
    WHEN failures_decayed(p_updated_at, p_locked_until, p_reset_seconds) THEN 1
    ELSE p_failures + 1 END
$$;

-- One attempt from an untrusted client: the count, and the running lock if there was one.
CREATE FUNCTION count_untrusted_failure(p_email_key text, p_reset_seconds double precision, OUT failures integer, OUT running timestamptz)
LANGUAGE sql AS $$
  INSERT INTO login_failures AS f (email, failures) VALUES (p_email_key, 1)
  ON CONFLICT (email) DO UPDATE SET
    failures = next_failure_count(f.failures, f.updated_at, f.locked_until, p_reset_seconds),
    updated_at = CASE WHEN f.locked_until > now() THEN f.updated_at ELSE now() END
  RETURNING failures, CASE WHEN locked_until > now() THEN locked_until END
$$;

-- One attempt from a trusted device: the same, on that device's own counter.
CREATE FUNCTION count_device_failure(p_email_key text, p_device text, p_reset_seconds double precision, OUT failures integer, OUT running timestamptz)
LANGUAGE sql AS $$
  INSERT INTO login_device_failures AS f (email, device, failures) VALUES (p_email_key, p_device, 1)
  ON CONFLICT (email, device) DO UPDATE SET
    failures = next_failure_count(f.failures, f.updated_at, f.locked_until, p_reset_seconds),
    updated_at = CASE WHEN f.locked_until > now() THEN f.updated_at ELSE now() END
  RETURNING failures, CASE WHEN locked_until > now() THEN locked_until END
$$;

-- Starts the lock an attempt earned, on the counter it was counted on, audited; returns its end.
CREATE FUNCTION start_lock(p_email_key text, p_device text, p_seconds double precision, p_ip text, p_user_agent text)
RETURNS timestamptz LANGUAGE plpgsql AS $$
DECLARE
  v_until timestamptz := now() + make_interval(secs => p_seconds);
BEGIN
  IF p_device IS NULL THEN
    UPDATE login_failures SET locked_until = v_until WHERE email = p_email_key;
  ELSE
    UPDATE login_device_failures SET locked_until = v_until WHERE email = p_email_key AND device = p_device;
  END IF;
  INSERT INTO auth_events (event, email, ip, user_agent)
  VALUES (CASE WHEN p_device IS NULL THEN 'lockout' ELSE 'device_lockout' END, p_email_key, p_ip, p_user_agent);
  RETURN v_until;
END $$;

-- LOGIN_ATTEMPT as in 0006, plus: `p_device` (a trusted device's hash; NULL for untrusted
-- clients) picks the counter, and `p_attempt_id` (NULL: not refundable) keeps the attempt open
-- for LOGIN_ABANDONED. Same outcomes as 0006's attempt_login.
CREATE FUNCTION attempt_login(
  p_request_id text, p_email_key text, p_ip text, p_user_agent text, p_ip_limit integer,
  p_threshold integer, p_lock_seconds double precision[], p_reset_seconds double precision,
  p_attempt_id text, p_device text
) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_stored jsonb := claim_request(p_request_id);
  v_window timestamptz;
  v_failures integer;
  v_running timestamptz;
  v_until timestamptz;
BEGIN
  IF v_stored IS NOT NULL THEN RETURN v_stored; END IF;
  IF p_ip IS NOT NULL AND p_ip_limit IS NOT NULL THEN
    IF count_ip_attempt(p_ip) > p_ip_limit THEN RETURN store_reply(p_request_id, '{"outcome": "rate_limited"}'); END IF;
    SELECT window_start INTO v_window FROM login_ip_attempts WHERE ip = p_ip;
  END IF;
  IF p_device IS NULL THEN
    SELECT c.failures, c.running INTO v_failures, v_running FROM count_untrusted_failure(p_email_key, p_reset_seconds) c;
  ELSE
    SELECT c.failures, c.running INTO v_failures, v_running FROM count_device_failure(p_email_key, p_device, p_reset_seconds) c;
  END IF;
  IF v_running IS NULL AND v_failures >= p_threshold THEN
    v_until := start_lock(p_email_key, p_device,
      p_lock_seconds[least(v_failures - p_threshold + 1, cardinality(p_lock_seconds))], p_ip, p_user_agent);
  END IF;
  IF p_attempt_id IS NOT NULL THEN
    INSERT INTO login_attempts_open (attempt_id, email, device, counted, locked_set, ip, ip_window)
    VALUES (p_attempt_id, p_email_key, p_device, v_running IS NULL, v_until, p_ip, v_window)
    ON CONFLICT (attempt_id) DO NOTHING;
  END IF;
  IF v_running IS NOT NULL THEN
    RETURN store_reply(p_request_id, jsonb_build_object('outcome', 'locked', 'lockedUntil', v_running));
  END IF;
  IF v_until IS NULL THEN RETURN store_reply(p_request_id, '{"outcome": "allowed"}'); END IF;
  RETURN store_reply(p_request_id, jsonb_build_object('outcome', 'allowed', 'failures', v_failures, 'lockedUntil', v_until));
END $$;

-- LOGIN_ABANDONED: undoes exactly what one open attempt counted (its failure, its IP's count in
-- the same window, and a lock only if that attempt started it and it still stands), never below
-- zero. Deleting the open row makes a second refund of the same attempt a no-op. Outcomes:
-- refunded, not_open (unknown id, another account's, or its login already ended).
CREATE FUNCTION abandon_login(p_request_id text, p_attempt_id text, p_email_key text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_stored jsonb := claim_request(p_request_id);
  v login_attempts_open;
BEGIN
  IF v_stored IS NOT NULL THEN RETURN v_stored; END IF;
  DELETE FROM login_attempts_open WHERE attempt_id = p_attempt_id AND email = p_email_key RETURNING * INTO v;
  IF NOT FOUND THEN RETURN store_reply(p_request_id, '"not_open"'); END IF;
  IF v.counted AND v.device IS NULL THEN
    UPDATE login_failures SET failures = greatest(failures - 1, 0),
      locked_until = CASE WHEN locked_until = v.locked_set THEN NULL ELSE locked_until END
    WHERE email = v.email;
  ELSIF v.counted THEN
    UPDATE login_device_failures SET failures = greatest(failures - 1, 0),
      locked_until = CASE WHEN locked_until = v.locked_set THEN NULL ELSE locked_until END
    WHERE email = v.email AND device = v.device;
  END IF;
  IF v.ip_window IS NOT NULL THEN
    UPDATE login_ip_attempts SET attempts = greatest(attempts - 1, 0) WHERE ip = v.ip AND window_start = v.ip_window;
  END IF;
  RETURN store_reply(p_request_id, '"refunded"');
END $$;

-- SESSION_CREATE as in 0006, plus `p_device`: a login clears the counter it was counted on (a
-- trusted device's login leaves the untrusted clients' lock alone) and ends that counter's open
-- attempts, so a late LOGIN_ABANDONED cannot take a failure off a count started afterwards.
CREATE FUNCTION create_session(
  p_request_id text, p_token_hash text, p_email text, p_email_key text, p_seconds double precision,
  p_ip text, p_user_agent text, p_at_login boolean, p_device text
) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_stored jsonb := claim_request(p_request_id);
BEGIN
  IF v_stored IS NOT NULL THEN RETURN v_stored; END IF;
  PERFORM insert_session(p_token_hash, p_email, p_seconds, p_ip, p_user_agent);
  IF p_at_login THEN
    IF p_device IS NULL THEN
      DELETE FROM login_failures WHERE email = p_email_key;
    ELSE
      DELETE FROM login_device_failures WHERE email = p_email_key AND device = p_device;
    END IF;
    DELETE FROM login_attempts_open WHERE email = p_email_key AND device IS NOT DISTINCT FROM p_device;
    INSERT INTO auth_events (event, email, ip, user_agent) VALUES ('login_success', p_email_key, p_ip, p_user_agent);
  END IF;
  RETURN store_reply(p_request_id, '"created"');
END $$;
