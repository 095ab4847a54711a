import type { Reply, RequestOf } from '@gatehouse/protocol';
import {
  giveBackAttempt, hasSecondFactor, lockTotp, totpEnabled, recordEvent, recoveryCodesLeft, removeSecondFactors, replaceRecoveryCodes, runOnce, storePendingTotp,
} from '@gatehouse/database';
import type { RequestMeta } from '@gatehouse/messaging';
import type { HandlerContext } from '../context.js';
import { newTotpSecret } from '../../second-factors/totp-codes.js';
import { checkTotp } from './totp-check.js';
import { passkeyListing } from '../passkeys/index.js';

/** An unfinished enrolment is resumed this long (a reload, a mistyped code), so the app scanned keeps working. */
const RESUME_MS = 15 * 60_000;
const NOT_CONFIGURED: Reply = { success: false, codeState: 'not_configured' };

/** MFA_STATUS: whether TOTP is on, how many recovery codes are left, and the passkeys. */
export async function mfaStatus(ctx: HandlerContext, { data }: RequestOf<'MFA_STATUS'>): Promise<Reply> {
  return ctx.db.primary(async (sql) => {
    const email = await ctx.sessions.ownerOf(sql, data.tokenHash);
    if (!email) return { success: false };
    const totp = await totpEnabled(sql, email);
    const passkeys = await passkeyListing(ctx, sql, email);
    return { success: true, secondFactors: { totp, recoveryCodesLeft: totp ? await recoveryCodesLeft(sql, email) : 0 }, ...(passkeys ? { passkeys } : {}) };
  });
}

/**
 * TOTP_ENROL_START: a new secret, sealed and stored switched off, and sent back once so the page
 * can show it. Not through runOnce: the stored reply would keep the secret in clear. A
 * redelivery resumes the same enrolment, so it answers the same.
 */
export async function totpEnrolStart(ctx: HandlerContext, { data }: RequestOf<'TOTP_ENROL_START'>): Promise<Reply> {
  const keys = ctx.mfaKeys;
  if (!keys) return NOT_CONFIGURED;
  return ctx.db.primary((sql) => sql.begin(async (tx): Promise<Reply> => {
    const email = await ctx.sessions.ownerOf(tx, data.tokenHash);
    if (!email) return { success: false };
    const row = await lockTotp(tx, email);
    if (row?.enabled) return { success: false, codeState: 'already_enabled' };
    if (row && keys.has(row.keyId) && Date.now() - row.createdAt.getTime() < RESUME_MS) return { success: true, totpSecret: keys.open(row.secretBox, email) };
    const secret = newTotpSecret();
    const { box, keyId } = keys.seal(secret, email);
    await storePendingTotp(tx, email, box, keyId);
    await recordEvent(tx, 'totp_enrolment_started', email, data.client);
    return { success: true, totpSecret: secret };
  })) as Promise<Reply>;
}

/** TOTP_ENROL_CONFIRM: the first valid code switches TOTP on, with the first recovery codes; the password check's count is given back. */
export async function totpEnrolConfirm(ctx: HandlerContext, { data }: RequestOf<'TOTP_ENROL_CONFIRM'>, meta: RequestMeta): Promise<Reply> {
  if (!ctx.mfaKeys) return NOT_CONFIGURED;
  return runOnce(ctx.db, meta.requestId, async (tx) => {
    const email = await ctx.sessions.ownerOf(tx, data.tokenHash);
    if (!email) return { success: false };
    const check = await checkTotp(ctx, tx, email, data.code, true);
    if (check !== 'ok') return { success: false, codeState: check };
    await replaceRecoveryCodes(tx, email, data.recoveryCodeHashes);
    await giveBackAttempt(tx, data.attemptId, email);
    await recordEvent(tx, 'totp_enabled', email, data.client);
    return { success: true };
  });
}

/** RECOVERY_CODES_REPLACE: a new set; every code of the old one stops working. */
export async function recoveryCodesReplace(ctx: HandlerContext, { data }: RequestOf<'RECOVERY_CODES_REPLACE'>, meta: RequestMeta): Promise<Reply> {
  return runOnce(ctx.db, meta.requestId, async (tx) => {
    const email = await ctx.sessions.ownerOf(tx, data.tokenHash);
    if (!email) return { success: false };
    if (!(await hasSecondFactor(tx, email))) return { success: false, codeState: 'not_enrolled' };
    await replaceRecoveryCodes(tx, email, data.recoveryCodeHashes);
    await recordEvent(tx, 'recovery_codes_replaced', email, data.client);
    return { success: true };
  });
}

/**
 * TOTP_DISABLE: the Front End checked the password (LOGIN_ATTEMPT `attemptId`); a current code
 * is the second proof. A wrong code keeps that attempt counted, so it counts towards the lock.
 */
export async function totpDisable(ctx: HandlerContext, { data }: RequestOf<'TOTP_DISABLE'>, meta: RequestMeta): Promise<Reply> {
  return runOnce(ctx.db, meta.requestId, async (tx) => {
    const email = await ctx.sessions.ownerOf(tx, data.tokenHash);
    if (!email) return { success: false };
    const check = await checkTotp(ctx, tx, email, data.code);
    if (check !== 'ok') {
      if (check === 'wrong') await recordEvent(tx, 'second_factor_failure', email, data.client);
      return { success: false, codeState: check };
    }
    await removeSecondFactors(tx, email);
    await giveBackAttempt(tx, data.attemptId, email);
    await recordEvent(tx, 'totp_disabled', email, data.client);
    return { success: true };
  });
}
