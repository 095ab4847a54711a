import type { Reply, RequestOf } from '@gatehouse/protocol';
import {
  beginPendingLogin, completeLogin, livePendingLogin, listPasskeys, recoveryCodesLeft, totpEnabled, countFactorAttempt, endPendingLogin, giveBackAttempt, hasSecondFactor, lockPendingLogin, recordEvent, runOnce, spendRecoveryCode,
} from '@gatehouse/database';
import type { TransactionSql } from 'postgres';
import type { RequestMeta } from '@gatehouse/messaging';
import type { HandlerContext } from '../context.js';
import { RATE_LIMITED } from '../login-attempt.js';
import { checkTotp } from './totp-check.js';
import { checkAssertion } from '../passkeys/index.js';

/**
 * MFA_LOGIN_BEGIN: the password was right; the login now waits five minutes for its second
 * factor. The password's attempt is given back (a right password is no failure): from here on
 * each code is counted instead, on the same counter.
 */
export async function mfaLoginBegin(ctx: HandlerContext, { data }: RequestOf<'MFA_LOGIN_BEGIN'>, meta: RequestMeta): Promise<Reply> {
  return runOnce(ctx.db, meta.requestId, async (tx) => {
    if (!(await hasSecondFactor(tx, data.email))) return { success: false, secondFactor: false };
    await beginPendingLogin(tx, data.pendingHash, data.email, data.deviceHash);
    await giveBackAttempt(tx, data.attemptId, data.email);
    return { success: true };
  });
}

/** MFA_LOGIN_FACTORS: what the code page may offer; a pending login that is not live gets nothing. Reads the primary, where it was written. */
export async function mfaLoginFactors(ctx: HandlerContext, { data }: RequestOf<'MFA_LOGIN_FACTORS'>): Promise<Reply> {
  return ctx.db.primary(async (sql) => {
    const pending = await livePendingLogin(sql, data.pendingHash);
    if (!pending) return { success: false, codeState: 'expired' };
    const totp = await totpEnabled(sql, pending.email);
    const passkeys = ctx.passkeys ? (await listPasskeys(sql, pending.email)).length : 0;
    return { success: true, secondFactors: { totp, recoveryCodesLeft: totp ? await recoveryCodesLeft(sql, pending.email) : 0, passkeys } };
  });
}

/**
 * MFA_LOGIN_VERIFY: one attempt at the second factor, counted like a password (IP budget, then the
 * lockout). Only a right code or an unused recovery code starts the session, in this transaction,
 * and ends the pending login; a lock ends it too, so the password must be typed again.
 */
export async function mfaLoginVerify(ctx: HandlerContext, { data }: RequestOf<'MFA_LOGIN_VERIFY'>, meta: RequestMeta): Promise<Reply> {
  return runOnce(ctx.db, meta.requestId, async (tx) => {
    const pending = await lockPendingLogin(tx, data.pendingHash);
    if (!pending) return { success: false, codeState: 'expired' };
    const client = data.client ?? {};
    const attempt = await countFactorAttempt(tx, { ...pending, client, ipLimitPerMinute: data.ipLimitPerMinute }, ctx.lockout);
    if (attempt.outcome === 'rate_limited') return RATE_LIMITED;
    if (attempt.outcome === 'locked') {
      await endPendingLogin(tx, data.pendingHash);
      return { success: false, lockedUntil: attempt.lockedUntil!.toISOString() };
    }
    const factor = await checkFactor(ctx, tx, pending.email, data);
    if (!factor) {
      await recordEvent(tx, data.passkey ? 'passkey_failure' : 'second_factor_failure', pending.email, client);
      if (!attempt.lockedUntil) return { success: false, codeState: 'wrong' };
      // This wrong code started a lock: the pending login ends with it.
      await endPendingLogin(tx, data.pendingHash);
      return { success: false, codeState: 'wrong', lockedUntil: attempt.lockedUntil.toISOString() };
    }
    await endPendingLogin(tx, data.pendingHash);
    const email = await completeLogin(tx, { tokenHash: data.sessionTokenHash, email: pending.email, seconds: ctx.sessions.absoluteSeconds, client, device: pending.device });
    await recordEvent(tx, FACTOR_EVENTS[factor], email, client);
    return { success: true, email };
  });
}

const FACTOR_EVENTS = { totp: 'second_factor_success', recovery: 'recovery_code_used', passkey: 'passkey_used' } as const;

async function checkFactor(ctx: HandlerContext, tx: TransactionSql, email: string, data: RequestOf<'MFA_LOGIN_VERIFY'>['data']): Promise<keyof typeof FACTOR_EVENTS | undefined> {
  if (data.passkey) {
    const checked = await checkAssertion(ctx, tx, { purpose: 'second_factor', boundTo: data.pendingHash, credential: data.passkey, email });
    return checked.outcome === 'ok' ? 'passkey' : undefined;
  }
  if (data.recoveryCodeHash) return (await spendRecoveryCode(tx, email, data.recoveryCodeHash)) ? 'recovery' : undefined;
  return (await checkTotp(ctx, tx, email, data.code!)) === 'ok' ? 'totp' : undefined;
}
