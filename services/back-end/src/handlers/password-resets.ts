import type { Reply, RequestOf } from '@gatehouse/protocol';
import { completePasswordReset, requestPasswordReset, resetTokenState, runOnce } from '@gatehouse/database';
import type { RequestMeta } from '@gatehouse/messaging';
import type { HandlerContext } from './context.js';
import { RATE_LIMITED } from './login-attempt.js';

/**
 * PASSWORD_RESET_REQUEST: the same answer whether or not the address has an account, is over
 * its hourly budget, or got a mail. The mail is queued in the outbox in the same transaction as
 * its token, then relayed to the mail queue once that commits.
 */
export async function passwordResetRequest(ctx: HandlerContext, { data }: RequestOf<'PASSWORD_RESET_REQUEST'>, meta: RequestMeta): Promise<Reply> {
  const client = data.client ?? {};
  const reply = await runOnce(ctx.db, meta.requestId, async (tx) => {
    if (client.ip && data.ipLimitPerMinute) {
      const [row] = await tx<{ n: number }[]>`SELECT count_ip_attempt(${client.ip}) AS n`;
      if (row!.n > data.ipLimitPerMinute) return RATE_LIMITED;
    }
    const queued = await requestPasswordReset(tx, data.email, client, ctx.resets);
    // Only in the log, never in the reply: the reply must not tell the caller.
    ctx.logger.info({ queued }, queued ? 'Password reset link queued' : 'Password reset asked for an unknown address, or over its budget');
    return { success: true };
  });
  ctx.outbox.kick();
  return reply;
}

/** RESET_TOKEN_CHECK: read on the primary, as the link may have been spent a moment ago. */
export async function resetTokenCheck(ctx: HandlerContext, { data }: RequestOf<'RESET_TOKEN_CHECK'>): Promise<Reply> {
  const { state, email } = await resetTokenState(ctx.db, data.tokenHash);
  return state === 'valid' ? { success: true, tokenState: state, email } : { success: false, tokenState: state };
}

/** PASSWORD_RESET: spends the link and logs the user in, once per request id. */
export async function passwordReset(ctx: HandlerContext, { data }: RequestOf<'PASSWORD_RESET'>, meta: RequestMeta): Promise<Reply> {
  return runOnce(ctx.db, meta.requestId, async (tx) => {
    const reset = { tokenHash: data.tokenHash, hash: data.hash, sessionTokenHash: data.sessionTokenHash, sessionSeconds: ctx.sessions.absoluteSeconds, client: data.client ?? {} };
    const { state, email, session } = await completePasswordReset(tx, reset);
    if (state !== 'valid') return { success: false, tokenState: state };
    ctx.logger.info('Password reset; every other session ended');
    return session ? { success: true, tokenState: state, email } : { success: true, tokenState: state, email, secondFactor: true };
  });
}
