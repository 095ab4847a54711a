import type { Reply, RequestOf } from '@gatehouse/protocol';
import { completeLogin, countFactorAttempt, isVerified, listPasskeys, lockPendingLogin, recordEvent, runOnce, storeChallenge, type PasskeyRow } from '@gatehouse/database';
import type { RequestMeta } from '@gatehouse/messaging';
import type { HandlerContext } from '../context.js';
import { RATE_LIMITED } from '../login-attempt.js';
import { challengeHashOf } from '../../passkeys/relying-party.js';
import { checkAssertion } from './assertion.js';
import { PASSKEYS_NOT_CONFIGURED } from './registration.js';

/**
 * PASSKEY_LOGIN_OPTIONS: options for navigator.credentials.get(). For a pending login (its
 * password was right), the account's passkeys are allowed and the challenge is bound to it; for
 * a passwordless login, any discoverable passkey, bound to the browser's token.
 */
export async function passkeyLoginOptions(ctx: HandlerContext, { data }: RequestOf<'PASSKEY_LOGIN_OPTIONS'>): Promise<Reply> {
  const rp = ctx.passkeys;
  if (!rp) return PASSKEYS_NOT_CONFIGURED;
  return ctx.db.primary((sql) => sql.begin(async (tx): Promise<Reply> => {
    let allowed: PasskeyRow[] = [];
    if (data.pendingHash) {
      const pending = await lockPendingLogin(tx, data.pendingHash);
      if (!pending) return { success: false, codeState: 'expired' };
      allowed = await listPasskeys(tx, pending.email);
      if (allowed.length === 0) return { success: false, codeState: 'not_enrolled' };
    }
    const options = await rp.authenticationOptions(allowed);
    const [purpose, boundTo] = data.pendingHash ? (['second_factor', data.pendingHash] as const) : (['passwordless', data.flowHash!] as const);
    await storeChallenge(tx, challengeHashOf(options.challenge), purpose, boundTo);
    return { success: true, passkeyOptions: options as unknown as Record<string, unknown> };
  })) as Promise<Reply>;
}

/**
 * PASSKEY_LOGIN: a login with a passkey alone. The assertion names its account; the attempt is
 * then counted on that account exactly as a password's (IP budget, lockout), so a locked account
 * stays locked and failed assertions lock it. A passkey that verified with user verification
 * stands for both factors, so no TOTP step follows.
 */
export async function passkeyLogin(ctx: HandlerContext, { data }: RequestOf<'PASSKEY_LOGIN'>, meta: RequestMeta): Promise<Reply> {
  if (!ctx.passkeys) return PASSKEYS_NOT_CONFIGURED;
  return runOnce(ctx.db, meta.requestId, async (tx) => {
    const client = data.client ?? {};
    const checked = await checkAssertion(ctx, tx, { purpose: 'passwordless', boundTo: data.flowHash, credential: data.credential });
    if (checked.outcome === 'expired') return { success: false, codeState: 'expired' };
    // An unknown passkey (never ours, or removed) names no account to count against.
    if (!checked.passkey) return { success: false, codeState: 'wrong' };
    const email = checked.passkey.email;
    // The passkey was right, so this is no failed attempt; but the address must be confirmed first (checked before counting).
    if (checked.outcome !== 'wrong' && data.requireVerified && (await isVerified(tx, email)) === false) return { success: false, unverified: true, email };
    const attempt = await countFactorAttempt(tx, { email, device: null, client, ipLimitPerMinute: data.ipLimitPerMinute }, ctx.lockout);
    if (attempt.outcome === 'rate_limited') return RATE_LIMITED;
    if (attempt.outcome === 'locked') return { success: false, lockedUntil: attempt.lockedUntil!.toISOString() };
    if (checked.outcome === 'wrong') {
      await recordEvent(tx, 'passkey_failure', email, client);
      return { success: false, codeState: 'wrong', ...(attempt.lockedUntil ? { lockedUntil: attempt.lockedUntil.toISOString() } : {}) };
    }
    const registered = await completeLogin(tx, { tokenHash: data.sessionTokenHash, email, seconds: ctx.sessions.absoluteSeconds, client, device: null });
    await recordEvent(tx, 'passkey_login', email, client);
    return { success: true, email: registered };
  });
}
