import { randomUUID } from 'node:crypto';
import type { TransactionSql } from 'postgres';
import { normalizeEmail } from '@gatehouse/protocol';
import { giveBackAttempt, type AccountChange } from './account-changes.js';
import { recordEvent, type ClientContext } from './audit-events.js';
import { queueLink, type VerificationPolicy } from './email-verification.js';
import { queueMail } from './outbox.js';
import { spendLink, type TokenState } from './account-links.js';
import type { SessionsRepository } from './sessions.js';

export type EmailChangeRequest = 'queued' | 'same' | 'taken' | 'over_budget';

/**
 * EMAIL_CHANGE_REQUEST, after the Front End checked the password: a link to the NEW address,
 * which moves the account only once clicked. The address must be free now (and again then).
 * Undefined when the session is over.
 */
export async function requestEmailChange(
  tx: TransactionSql,
  sessions: SessionsRepository,
  c: AccountChange & { newEmail: string },
  policy: VerificationPolicy,
): Promise<EmailChangeRequest | undefined> {
  const email = await sessions.ownerOf(tx, c.tokenHash);
  if (!email) return undefined;
  const key = normalizeEmail(email);
  const newKey = normalizeEmail(c.newEmail);
  await giveBackAttempt(tx, c.attemptId, email);
  if (newKey === key) return 'same';
  if (await addressTaken(tx, newKey)) return 'taken';
  const queued = await queueLink(tx, { purpose: 'email_change', key, recipient: c.newEmail.trim(), newEmail: c.newEmail.trim() }, policy);
  if (!queued) return 'over_budget';
  await recordEvent(tx, 'email_change_requested', key, c.client);
  return 'queued';
}

async function addressTaken(tx: TransactionSql, key: string): Promise<boolean> {
  const [row] = await tx<{ taken: boolean }[]>`SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = ${key}) AS taken`;
  return row!.taken;
}

export type EmailChangeOutcome = { state: Exclude<TokenState, 'valid'> } | { state: 'valid'; taken: true } | { state: 'valid'; taken: false; email: string };

/**
 * EMAIL_CHANGE, in the caller's transaction: spends the link, then moves the account to the new
 * address unless another account took it meanwhile (the link is spent either way: the answer
 * is final). The account's sessions follow it (they stay logged in: the change needed the
 * password and the new mailbox), every other link of the old address is spent (so a reset link
 * there can never open an account that registers that address later), and the old address is
 * told by mail.
 */
export async function confirmEmailChange(tx: TransactionSql, tokenHash: string, client: ClientContext): Promise<EmailChangeOutcome> {
  const link = await spendLink(tx, tokenHash, 'email_change');
  if (!link.spent) return { state: link.state };
  const spent = { email: link.email, new_email: link.newEmail! }; // an email_change link always names the new address
  const [old] = await tx<{ email: string }[]>`SELECT email FROM users WHERE lower(email) = ${spent.email} FOR UPDATE`;
  if (!old) return { state: 'unknown' }; // the account was deleted since
  if (!(await moveAccount(tx, spent.email, spent.new_email))) return { state: 'valid', taken: true };
  const newKey = normalizeEmail(spent.new_email);
  await tx`UPDATE sessions SET email = ${spent.new_email} WHERE lower(email) = ${spent.email}`;
  await tx`UPDATE account_tokens SET used_at = now() WHERE email = ${spent.email} AND used_at IS NULL`;
  await tx`DELETE FROM login_failures WHERE email IN (${spent.email}, ${newKey})`;
  await tx`DELETE FROM login_device_failures WHERE email IN (${spent.email}, ${newKey})`;
  // Passkeys follow the account (their user handle too, so authenticators keep one entry).
  await tx`UPDATE webauthn_credentials SET email = ${newKey} WHERE email = ${spent.email}`;
  await tx`UPDATE webauthn_user_handles SET email = ${newKey} WHERE email = ${spent.email}`;
  await queueMail(tx, { id: randomUUID(), template: 'email_changed', recipient: old.email, data: { newEmail: maskAddress(spent.new_email) } });
  await recordEvent(tx, 'email_changed', spent.email, client);
  await recordEvent(tx, 'email_changed', newKey, client);
  return { state: 'valid', taken: false, email: spent.new_email };
}

/**
 * The UPDATE in a savepoint: a registration of the new address that commits between our check
 * and this write trips the unique index, which then means "taken", not a failed request.
 */
async function moveAccount(tx: TransactionSql, key: string, newEmail: string): Promise<boolean> {
  if (await addressTaken(tx, normalizeEmail(newEmail))) return false;
  try {
    await tx.savepoint((sp) => sp`UPDATE users SET email = ${newEmail}, email_verified_at = now() WHERE lower(email) = ${key}`);
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === '23505') return false;
    throw err;
  }
}

/** "a•••@example.com": the old address learns where its account went without the new one in clear. */
export function maskAddress(email: string): string {
  const at = email.lastIndexOf('@');
  return at <= 0 ? '•••' : `${email[0]}•••${email.slice(at)}`;
}
