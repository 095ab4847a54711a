-- Issue 19: verify the address (EMAIL_VERIFICATION), and change it by a link sent to the new one.

-- When the user proved they read mail at this address; NULL until then. Accounts that exist
-- before this migration count as verified (at their registration): they were made when no
-- link could be sent, and EMAIL_VERIFICATION=required must not lock every one of them out.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;
UPDATE users SET email_verified_at = created_at;

-- Two more purposes for links. `new_email` is where an email_change link moves the account
-- (`email` stays the account's current key, so its per-address budget and ownership hold).
ALTER TABLE account_tokens ADD COLUMN new_email text;
ALTER TABLE account_tokens DROP CONSTRAINT account_tokens_purpose_check;
ALTER TABLE account_tokens ADD CONSTRAINT account_tokens_purpose_check
  CHECK (purpose IN ('password_reset', 'email_verification', 'email_change'));
ALTER TABLE account_tokens ADD CONSTRAINT account_tokens_new_email_check
  CHECK ((purpose = 'email_change') = (new_email IS NOT NULL));

ALTER TABLE auth_events DROP CONSTRAINT auth_events_event_check;
ALTER TABLE auth_events ADD CONSTRAINT auth_events_event_check CHECK (event IN
  ('register', 'login_success', 'login_failure', 'lockout', 'device_lockout', 'logout', 'logout_everywhere',
   'password_reset_requested', 'password_reset', 'password_change', 'session_end', 'account_deleted',
   'email_verification_requested', 'email_verified', 'email_change_requested', 'email_changed')) NOT VALID;
