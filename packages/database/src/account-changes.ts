import { createHash } from 'node:crypto';
import type { TransactionSql } from 'postgres';
import { normalizeEmail } from '@gatehouse/protocol';
import type { ClientContext } from './audit-events.js';
import { recordEvent } from './audit-events.js';
import type { SessionsRepository } from './sessions.js';
import { removeSecondFactors } from './second-factors/totp.js';

/**
 * A change the logged-in user makes to their own account, after the Front End checked their
 * password: `tokenHash` is their live session (it names the account), `attemptId` the
 * LOGIN_ATTEMPT that checked the password, whose count is given back (a right password is no failure).
 */
export interface AccountChange {
  tokenHash: string;
  attemptId: string | undefined;
  client: ClientContext;
}

/** Undoes what the checking LOGIN_ATTEMPT counted (abandon_login, migration 0007). */
export async function giveBackAttempt(tx: TransactionSql, attemptId: string | undefined, email: string): Promise<void> {
  if (attemptId) await tx`SELECT abandon_login(NULL, ${attemptId}, ${normalizeEmail(email)})`;
}

/** PASSWORD_CHANGE: the new hash, and every other session of the user ended. */
export async function changePassword(tx: TransactionSql, sessions: SessionsRepository, c: AccountChange & { hash: string }): Promise<{ email?: string; revoked: number }> {
  const email = await sessions.ownerOf(tx, c.tokenHash);
  if (!email) return { revoked: 0 };
  await tx`UPDATE users SET hash = ${c.hash} WHERE lower(email) = ${normalizeEmail(email)}`;
  const { revoked } = await sessions.revokeOthers(tx, c.tokenHash);
  await giveBackAttempt(tx, c.attemptId, email);
  await recordEvent(tx, 'password_change', email, c.client);
  return { email, revoked };
}

/** The name a deleted account keeps in the audit log: not the address, but the same for the same address. */
export function deletedAccountName(email: string): string {
  return `deleted:${createHash('sha256').update(normalizeEmail(email)).digest('hex').slice(0, 16)}`;
}

/**
 * ACCOUNT_DELETE: the user, its sessions, links, counters and unsent mail go in one transaction;
 * its audit rows stay, under a pseudonym instead of the address, with one more saying it was
 * deleted. The address can register again at once.
 */
export async function deleteAccount(tx: TransactionSql, sessions: SessionsRepository, c: AccountChange): Promise<{ email?: string }> {
  const email = await sessions.ownerOf(tx, c.tokenHash);
  if (!email) return {};
  const key = normalizeEmail(email);
  await giveBackAttempt(tx, c.attemptId, email);
  await tx`DELETE FROM users WHERE lower(email) = ${key}`;
  await tx`DELETE FROM sessions WHERE lower(email) = ${key}`;
  await tx`DELETE FROM account_tokens WHERE email = ${key}`;
  await tx`DELETE FROM outbox WHERE lower(recipient) = ${key}`;
  await tx`DELETE FROM login_failures WHERE email = ${key}`;
  await tx`DELETE FROM login_device_failures WHERE email = ${key}`;
  await tx`DELETE FROM login_attempts_open WHERE email = ${key}`;
  await tx`DELETE FROM webauthn_credentials WHERE email = ${key}`;
  await tx`DELETE FROM webauthn_user_handles WHERE email = ${key}`;
  await removeSecondFactors(tx, email);
  const pseudonym = deletedAccountName(email);
  await tx`UPDATE auth_events SET email = ${pseudonym} WHERE lower(email) = ${key}`;
  await tx`INSERT INTO auth_events (event, email, ip, user_agent) VALUES ('account_deleted', ${pseudonym}, ${c.client.ip ?? null}, ${c.client.userAgent ?? null})`;
  return { email };
}
