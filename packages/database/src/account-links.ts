import { createHash, randomBytes } from 'node:crypto';
import type { TransactionSql } from 'postgres';
import type { ClientContext } from './audit-events.js';
import { hasSecondFactor } from './second-factors/totp.js';

/**
 * What every emailed link shares (account_tokens): its token, spending it once, and the session
 * a spent link may start. The flows (password reset, verification, address change) are beside it.
 */

/** What a link's token is worth right now. */
export type TokenState = 'valid' | 'used' | 'expired' | 'unknown';

/** What a link may be spent on (account_tokens.purpose): a token of one purpose is unknown to the others. */
export type LinkPurpose = 'password_reset' | 'email_verification' | 'email_change';

/** 256 random bits, URL-safe: the secret in the link. Only its SHA-256 is ever stored. */
export function newLinkToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The stored (and looked-up) form of a link's token. */
export function tokenHashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export type SpentLink = { spent: true; email: string; newEmail: string | null } | { spent: false; state: Exclude<TokenState, 'valid'> };

/**
 * Spends a live link of `purpose` in one UPDATE, so of two clicks at once exactly one wins: the
 * account's key (and an address change's new address), or why the link could not be spent.
 */
export async function spendLink(tx: TransactionSql, tokenHash: string, purpose: LinkPurpose): Promise<SpentLink> {
  const [row] = await tx<{ email: string; new_email: string | null }[]>`
    UPDATE account_tokens SET used_at = now()
    WHERE token_hash = ${tokenHash} AND purpose = ${purpose} AND used_at IS NULL AND expires_at > now()
    RETURNING email, new_email`;
  return row ? { spent: true, email: row.email, newEmail: row.new_email } : { spent: false, state: await spentState(tx, tokenHash, purpose) };
}

/** Why a link of `purpose` could not be spent: used, expired, or never one of that purpose. */
export async function spentState(tx: TransactionSql, tokenHash: string, purpose: LinkPurpose): Promise<Exclude<TokenState, 'valid'>> {
  const [row] = await tx<{ used: boolean }[]>`
    SELECT used_at IS NOT NULL AS used FROM account_tokens WHERE token_hash = ${tokenHash} AND purpose = ${purpose}`;
  if (!row) return 'unknown';
  return row.used ? 'used' : 'expired';
}

/** The session a spent link starts, as the user's click asked for it. */
export interface LinkSession {
  sessionTokenHash: string;
  sessionSeconds: number;
  client: ClientContext;
}

/**
 * Ends a link's flow by logging its user in, unless the account has a second factor: a mailbox
 * is not one, so then the link did its work and the user logs in with the password and that factor.
 */
export async function startSessionUnlessSecondFactor(tx: TransactionSql, email: string, s: LinkSession): Promise<{ state: 'valid'; email: string; session: boolean }> {
  if (await hasSecondFactor(tx, email)) return { state: 'valid', email, session: false };
  await tx`SELECT insert_session(${s.sessionTokenHash}, ${email}, ${s.sessionSeconds}, ${s.client.ip ?? null}, ${s.client.userAgent ?? null})`;
  return { state: 'valid', email, session: true };
}
