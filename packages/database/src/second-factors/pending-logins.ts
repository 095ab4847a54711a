import type { Sql, TransactionSql } from 'postgres';
import { normalizeEmail } from '@gatehouse/protocol';
import type { ClientContext } from '../audit-events.js';
import type { Database } from '../connect.js';
import { arrayLiteral, lockLadderSeconds } from '../login-attempts.js';
import type { LockoutPolicy } from '../login-failures.js';

/** How long a login may wait between its password and its second factor. */
export const PENDING_LOGIN_SECONDS = 5 * 60;

export interface PendingLogin {
  email: string;
  /** The trusted device the password was typed on, whose counter the login clears. */
  device: string | null;
}

/** A login whose password was right now waits for its second factor, under the hash of the browser's token. */
export async function beginPendingLogin(tx: TransactionSql, tokenHash: string, email: string, device: string | undefined): Promise<void> {
  await tx`
    INSERT INTO pending_logins (token_hash, email, device, expires_at)
    VALUES (${tokenHash}, ${normalizeEmail(email)}, ${device ?? null}, now() + make_interval(secs => ${PENDING_LOGIN_SECONDS}))`;
}

/** The live pending login, locked until the transaction ends (an expired one is as good as none). */
export async function lockPendingLogin(tx: TransactionSql, tokenHash: string): Promise<PendingLogin | undefined> {
  const [row] = await tx<PendingLogin[]>`
    SELECT email, device FROM pending_logins WHERE token_hash = ${tokenHash} AND expires_at > now() FOR UPDATE`;
  return row;
}

/** The live pending login, read without a lock (its page asks which factors to offer). */
export async function livePendingLogin(sql: Sql, tokenHash: string): Promise<PendingLogin | undefined> {
  const [row] = await sql<PendingLogin[]>`SELECT email, device FROM pending_logins WHERE token_hash = ${tokenHash} AND expires_at > now()`;
  return row;
}

/** Single use: a pending login ends when it succeeds, or when the account locks. */
export async function endPendingLogin(tx: TransactionSql, tokenHash: string): Promise<void> {
  await tx`DELETE FROM pending_logins WHERE token_hash = ${tokenHash}`;
}

/** The session of a login that passed every factor (complete_login, migration 0010); returns the email as registered. */
export async function completeLogin(
  tx: TransactionSql,
  s: { tokenHash: string; email: string; seconds: number; client: ClientContext; device: string | null },
): Promise<string> {
  const [user] = await tx<{ email: string }[]>`SELECT email FROM users WHERE lower(email) = ${normalizeEmail(s.email)}`;
  const email = user?.email ?? s.email;
  await tx`SELECT complete_login(${s.tokenHash}, ${email}, ${normalizeEmail(s.email)}, ${s.seconds},
    ${s.client.ip ?? null}, ${s.client.userAgent ?? null}, ${s.device}::text)`;
  return email;
}

/** Expired half-done logins are of no use to anyone; for housekeeping. */
export async function prunePendingLogins(db: Database): Promise<number> {
  const rows = await db.primary((sql: Sql) => sql`DELETE FROM pending_logins WHERE expires_at <= now()`);
  return rows.count;
}

/**
 * Counts one second-factor attempt exactly as LOGIN_ATTEMPT counts a password (attempt_login,
 * migration 0007, inside this transaction): the IP's budget, then the account's (or the trusted
 * device's) failure count and lock. A right code then clears the count, as a right password does.
 */
export async function countFactorAttempt(
  tx: TransactionSql,
  a: { email: string; device: string | null; client: ClientContext; ipLimitPerMinute: number | undefined },
  policy: LockoutPolicy,
): Promise<{ outcome: 'rate_limited' | 'locked' | 'allowed'; lockedUntil?: Date }> {
  const ip = a.client.ip ?? null;
  const [row] = await tx<{ d: { outcome: 'rate_limited' | 'locked' | 'allowed'; lockedUntil?: string } }[]>`
    SELECT attempt_login(NULL, ${normalizeEmail(a.email)}, ${ip}, ${a.client.userAgent ?? null}, ${ip === null ? null : (a.ipLimitPerMinute ?? null)},
      ${policy.threshold}, ${arrayLiteral(lockLadderSeconds(policy))}::double precision[], ${policy.resetAfterMs / 1000},
      NULL::text, ${a.device}::text) AS d`;
  const { outcome, lockedUntil } = row!.d;
  return lockedUntil ? { outcome, lockedUntil: new Date(lockedUntil) } : { outcome };
}
