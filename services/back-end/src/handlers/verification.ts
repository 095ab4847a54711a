import type { Reply, RequestOf } from '@gatehouse/protocol';
import { confirmEmailChange, isVerified, requestEmailChange, requestVerification, runOnce, verifyEmail } from '@gatehouse/database';
import type { RequestMeta } from '@gatehouse/messaging';
import type { HandlerContext } from './context.js';
import { RATE_LIMITED } from './login-attempt.js';

/**
 * VERIFICATION_SEND: "send the link again", for a logged-in user's account (`tokenHash`) or an
 * address typed on the refused login's page. Answered alike whether a mail went or not.
 */
export async function verificationSend(ctx: HandlerContext, { data }: RequestOf<'VERIFICATION_SEND'>, meta: RequestMeta): Promise<Reply> {
  const client = data.client ?? {};
  const reply = await runOnce(ctx.db, meta.requestId, async (tx) => {
    if (client.ip && data.ipLimitPerMinute) {
      const [row] = await tx<{ n: number }[]>`SELECT count_ip_attempt(${client.ip}) AS n`;
      if (row!.n > data.ipLimitPerMinute) return RATE_LIMITED;
    }
    const email = data.tokenHash ? await ctx.sessions.ownerOf(tx, data.tokenHash) : data.email;
    const outcome = email ? await requestVerification(tx, email, client, ctx.verifications) : 'unknown';
    // Only in the log: the reply must not tell whether the address has an account.
    ctx.logger.info({ outcome }, 'Verification link asked for again');
    return { success: true };
  });
  ctx.outbox.kick();
  return reply;
}

/** VERIFICATION_STATUS: on the primary, as the link may have been clicked a moment ago. */
export async function verificationStatus(ctx: HandlerContext, { data }: RequestOf<'VERIFICATION_STATUS'>): Promise<Reply> {
  const verified = await ctx.db.primary((sql) => isVerified(sql, data.email));
  return verified === undefined ? { success: false } : { success: true, verified };
}

/** EMAIL_VERIFY: spends the link and logs the user in, once per request id. */
export async function emailVerify(ctx: HandlerContext, { data }: RequestOf<'EMAIL_VERIFY'>, meta: RequestMeta): Promise<Reply> {
  return runOnce(ctx.db, meta.requestId, async (tx) => {
    const v = { tokenHash: data.tokenHash, sessionTokenHash: data.sessionTokenHash, sessionSeconds: ctx.sessions.absoluteSeconds, client: data.client ?? {} };
    const { state, email, session } = await verifyEmail(tx, v);
    if (state !== 'valid') return { success: false, tokenState: state };
    return session ? { success: true, tokenState: state, email } : { success: true, tokenState: state, email, secondFactor: true };
  });
}

/** EMAIL_CHANGE_REQUEST: a link to the new address; named by the caller's live session. */
export async function emailChangeRequest(ctx: HandlerContext, { data }: RequestOf<'EMAIL_CHANGE_REQUEST'>, meta: RequestMeta): Promise<Reply> {
  const reply = await runOnce(ctx.db, meta.requestId, async (tx) => {
    const change = { tokenHash: data.tokenHash, newEmail: data.newEmail, attemptId: data.attemptId, client: data.client ?? {} };
    const outcome = await requestEmailChange(tx, ctx.sessions, change, ctx.verifications);
    return outcome === undefined ? { success: false } : { success: outcome === 'queued', emailChange: outcome };
  });
  if (reply.emailChange === 'queued') ctx.outbox.kick();
  return reply;
}

/** EMAIL_CHANGE: spends the link; the account moves unless its new address was taken meanwhile. */
export async function emailChange(ctx: HandlerContext, { data }: RequestOf<'EMAIL_CHANGE'>, meta: RequestMeta): Promise<Reply> {
  const reply = await runOnce(ctx.db, meta.requestId, async (tx) => {
    const outcome = await confirmEmailChange(tx, data.tokenHash, data.client ?? {});
    if (outcome.state !== 'valid') return { success: false, tokenState: outcome.state };
    if (outcome.taken) return { success: false, tokenState: 'valid', emailTaken: true };
    ctx.logger.info('Email address changed; the old address is told');
    return { success: true, tokenState: 'valid', email: outcome.email };
  });
  if (reply.success) ctx.outbox.kick();
  return reply;
}
