import { randomUUID } from 'node:crypto';
import type { TransactionSql } from 'postgres';
import { normalizeEmail } from '@gatehouse/protocol';
import type { Database } from './connect.js';
import type { ClientContext } from './audit-events.js';
import { recordEvent } from './audit-events.js';
import { queueMail } from './outbox.js';
import { newLinkToken, spendLink, startSessionUnlessSecondFactor, tokenHashOf, type LinkSession, type TokenState } from './account-links.js';

export interface ResetPolicy {
  /** How long a link works. */
  ttlMinutes: number;
  /** Links per address per hour; more requests are answered alike and send nothing. */
  perAddressPerHour: number;
}

export const DEFAULT_RESETS: ResetPolicy = { ttlMinutes: 30, perAddressPerHour: 3 };

/**
 * PASSWORD_RESET_REQUEST, inside the caller's transaction: for a known address under its hourly
 * budget, a new token and the mail that carries it (the outbox), and the audit row. Returns
 * whether a mail was queued; the caller answers the same either way.
 */
export async function requestPasswordReset(tx: TransactionSql, email: string, client: ClientContext, policy: ResetPolicy): Promise<boolean> {
  const key = normalizeEmail(email);
  const [user] = await tx<{ email: string }[]>`SELECT email FROM users WHERE lower(email) = ${key} FOR SHARE`;
  if (!user) return false;
  const [recent] = await tx<{ n: number }[]>`
    SELECT count(*)::int AS n FROM account_tokens
    WHERE email = ${key} AND purpose = 'password_reset' AND created_at > now() - interval '1 hour'`;
  if (recent!.n >= policy.perAddressPerHour) return false;
  const token = newLinkToken();
  const [row] = await tx<{ expires_at: Date }[]>`
    INSERT INTO account_tokens (token_hash, purpose, email, expires_at)
    VALUES (${tokenHashOf(token)}, 'password_reset', ${key}, now() + make_interval(mins => ${policy.ttlMinutes}))
    RETURNING expires_at`;
  await queueMail(tx, { id: randomUUID(), template: 'password_reset', recipient: user.email, data: { token, expiresAt: row!.expires_at.toISOString() } });
  await recordEvent(tx, 'password_reset_requested', key, client);
  return true;
}

/** The state of a reset link, and whose it is while it is valid (for the form's password policy). */
export async function resetTokenState(db: Database, tokenHash: string): Promise<{ state: TokenState; email?: string }> {
  const [row] = await db.primary((sql) => sql<{ email: string; used: boolean; expired: boolean }[]>`
    SELECT u.email, t.used_at IS NOT NULL AS used, t.expires_at <= now() AS expired
    FROM account_tokens t JOIN users u ON lower(u.email) = t.email
    WHERE t.token_hash = ${tokenHash} AND t.purpose = 'password_reset'`);
  if (!row) return { state: 'unknown' };
  if (row.used) return { state: 'used' };
  if (row.expired) return { state: 'expired' };
  return { state: 'valid', email: row.email };
}

export interface PasswordReset extends LinkSession {
  tokenHash: string;
  hash: string;
}

/**
 * PASSWORD_RESET, inside the caller's transaction: spends the token, stores the new hash, ends
 * every session of the user and every other reset link, clears the lockout, audits it and starts
 * the new session (none when the account has a second factor: the user then logs in with the
 * new password and that factor).
 */
export async function completePasswordReset(tx: TransactionSql, r: PasswordReset): Promise<{ state: TokenState; email?: string; session?: boolean }> {
  const link = await spendLink(tx, r.tokenHash, 'password_reset');
  if (!link.spent) return { state: link.state };
  const key = link.email;
  const [user] = await tx<{ email: string }[]>`UPDATE users SET hash = ${r.hash} WHERE lower(email) = ${key} RETURNING email`;
  if (!user) return { state: 'unknown' }; // the account was deleted after the link was sent
  await tx`UPDATE sessions SET revoked_at = now() WHERE lower(email) = ${key} AND revoked_at IS NULL`;
  await tx`UPDATE account_tokens SET used_at = now() WHERE email = ${key} AND purpose = 'password_reset' AND used_at IS NULL`;
  await tx`DELETE FROM login_failures WHERE email = ${key}`;
  await tx`DELETE FROM login_device_failures WHERE email = ${key}`;
  await recordEvent(tx, 'password_reset', key, r.client);
  return startSessionUnlessSecondFactor(tx, user.email, r);
}

/** Links that expired a day ago are no use even to an investigation. */
export async function pruneAccountTokens(db: Database): Promise<number> {
  const rows = await db.primary((sql) => sql`DELETE FROM account_tokens WHERE expires_at < now() - interval '1 day'`);
  return rows.count;
}
