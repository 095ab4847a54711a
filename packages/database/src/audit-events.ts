import type { Sql, TransactionSql } from 'postgres';
import { normalizeEmail } from '@gatehouse/protocol';

/** `lockout` locks an account's untrusted clients; `device_lockout` one trusted device (migration 0007). */
export type AuthEvent =
  | 'register' | 'login_success' | 'login_failure' | 'lockout' | 'device_lockout' | 'logout' | 'logout_everywhere'
  | 'password_reset_requested' | 'password_reset' | 'password_change' | 'session_end' | 'account_deleted'
  // Second factors (migration 0010).
  | 'totp_enrolment_started' | 'totp_enabled' | 'totp_disabled' | 'second_factor_success' | 'second_factor_failure'
  | 'recovery_code_used' | 'recovery_codes_replaced' | 'second_factor_reset'
  // Passkeys (migration 0011).
  | 'passkey_added' | 'passkey_removed' | 'passkey_used' | 'passkey_failure' | 'passkey_login'
  | 'email_verification_requested' | 'email_verified' | 'email_change_requested' | 'email_changed';

export interface ClientContext {
  ip?: string;
  userAgent?: string;
}

export interface AuditRow {
  at: Date;
  event: AuthEvent;
  email: string;
  ip: string | null;
  user_agent: string | null;
}

/** Appends one row to auth_events, inside the caller's transaction. */
export async function recordEvent(tx: TransactionSql, event: AuthEvent, email: string, client: ClientContext = {}): Promise<void> {
  await tx`
    INSERT INTO auth_events (event, email, ip, user_agent)
    VALUES (${event}, ${normalizeEmail(email)}, ${client.ip ?? null}, ${client.userAgent ?? null})`;
}

/** The newest events, optionally for one email, newest first. */
export async function recentEvents(sql: Sql, options: { email?: string; limit: number }): Promise<AuditRow[]> {
  const byEmail = options.email ? sql`WHERE lower(email) = ${normalizeEmail(options.email)}` : sql``;
  return sql<AuditRow[]>`
    SELECT at, event, email, ip, user_agent FROM auth_events ${byEmail}
    ORDER BY at DESC, id DESC LIMIT ${options.limit}`;
}
