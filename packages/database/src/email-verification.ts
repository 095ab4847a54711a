import { randomUUID } from 'node:crypto';
import type { Sql, TransactionSql } from 'postgres';
import { normalizeEmail } from '@gatehouse/protocol';
import type { ClientContext } from './audit-events.js';
import { recordEvent } from './audit-events.js';
import { queueMail } from './outbox.js';
import { newLinkToken, spendLink, startSessionUnlessSecondFactor, tokenHashOf, type LinkPurpose, type LinkSession, type TokenState } from './account-links.js';

export interface VerificationPolicy {
  /** How long a verification or change-of-address link works. */
  ttlHours: number;
  /** Such links per account per hour (registration's first one counts); more are refused quietly. */
  perAddressPerHour: number;
}

export const DEFAULT_VERIFICATIONS: VerificationPolicy = { ttlHours: 24, perAddressPerHour: 3 };

/** The mail template each purpose's link goes out with (services/mailer/src/templates.ts). */
const TEMPLATES: Record<Exclude<LinkPurpose, 'password_reset'>, string> = { email_verification: 'email_verification', email_change: 'email_change' };

export interface LinkMail {
  purpose: Exclude<LinkPurpose, 'password_reset'>;
  /** The account's normalized address: the budget and the token belong to it. */
  key: string;
  /** Where the mail goes: the account's address, or for a change the new one. */
  recipient: string;
  /** email_change only: the address the account moves to. */
  newEmail?: string;
}

/**
 * A new link and its mail (the outbox), in the caller's transaction, unless the account had
 * `perAddressPerHour` links of this purpose in the last hour. Returns whether one was queued.
 */
export async function queueLink(tx: TransactionSql, link: LinkMail, policy: VerificationPolicy): Promise<boolean> {
  const [recent] = await tx<{ n: number }[]>`
    SELECT count(*)::int AS n FROM account_tokens
    WHERE email = ${link.key} AND purpose = ${link.purpose} AND created_at > now() - interval '1 hour'`;
  if (recent!.n >= policy.perAddressPerHour) return false;
  const token = newLinkToken();
  const [row] = await tx<{ expires_at: Date }[]>`
    INSERT INTO account_tokens (token_hash, purpose, email, new_email, expires_at)
    VALUES (${tokenHashOf(token)}, ${link.purpose}, ${link.key}, ${link.newEmail ?? null}, now() + make_interval(hours => ${policy.ttlHours}))
    RETURNING expires_at`;
  const data = { token, expiresAt: row!.expires_at.toISOString() };
  await queueMail(tx, { id: randomUUID(), template: TEMPLATES[link.purpose], recipient: link.recipient, data });
  return true;
}

export type VerificationRequest = 'queued' | 'verified' | 'over_budget' | 'unknown';

/**
 * A verification link for the account `email` (at registration, or "send it again"), with its
 * audit row. An account that is verified already, or unknown, gets nothing.
 */
export async function requestVerification(tx: TransactionSql, email: string, client: ClientContext, policy: VerificationPolicy): Promise<VerificationRequest> {
  const key = normalizeEmail(email);
  const [user] = await tx<{ email: string; verified: boolean }[]>`
    SELECT email, email_verified_at IS NOT NULL AS verified FROM users WHERE lower(email) = ${key} FOR SHARE`;
  if (!user) return 'unknown';
  if (user.verified) return 'verified';
  if (!(await queueLink(tx, { purpose: 'email_verification', key, recipient: user.email }, policy))) return 'over_budget';
  await recordEvent(tx, 'email_verification_requested', key, client);
  return 'queued';
}

/** Whether the account `email` has verified its address; undefined when there is no such account. */
export async function isVerified(sql: Sql | TransactionSql, email: string): Promise<boolean | undefined> {
  const [row] = await sql<{ verified: boolean }[]>`SELECT email_verified_at IS NOT NULL AS verified FROM users WHERE lower(email) = ${normalizeEmail(email)}`;
  return row?.verified;
}

export interface EmailVerification extends LinkSession {
  tokenHash: string;
}

/**
 * EMAIL_VERIFY, in the caller's transaction: spends the link, marks the address verified, spends
 * the account's other verification links, audits it and starts the new session: clicking the
 * link logs the user in (not with a second factor on: a mailbox is not one).
 */
export async function verifyEmail(tx: TransactionSql, v: EmailVerification): Promise<{ state: TokenState; email?: string; session?: boolean }> {
  const link = await spendLink(tx, v.tokenHash, 'email_verification');
  if (!link.spent) return { state: link.state };
  const key = link.email;
  const [user] = await tx<{ email: string }[]>`
    UPDATE users SET email_verified_at = coalesce(email_verified_at, now()) WHERE lower(email) = ${key} RETURNING email`;
  if (!user) return { state: 'unknown' }; // the account was deleted, or changed its address, since
  await tx`UPDATE account_tokens SET used_at = now() WHERE email = ${key} AND purpose = 'email_verification' AND used_at IS NULL`;
  await recordEvent(tx, 'email_verified', key, v.client);
  return startSessionUnlessSecondFactor(tx, user.email, v);
}
