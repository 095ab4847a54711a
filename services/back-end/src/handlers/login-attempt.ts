import type { Reply, RequestOf } from '@gatehouse/protocol';
import { abandonLogin, attemptLogin } from '@gatehouse/database';
import type { RequestMeta } from '@gatehouse/messaging';
import type { HandlerContext } from './context.js';

export const RATE_LIMITED: Reply = { success: false, rateLimited: true };

/**
 * LOGIN_ATTEMPT: the deciding step of a login, one statement on the primary (attemptLogin). The
 * IP is counted first (over budget, the account is not touched), then the account's attempt is
 * counted; only an allowed attempt gets the hash, read in the same statement after the decision.
 * The stored outcome (for a redelivery) is the decision alone, so processed_requests never holds a copy.
 */
export async function loginAttempt(ctx: HandlerContext, { data }: RequestOf<'LOGIN_ATTEMPT'>, meta: RequestMeta): Promise<Reply> {
  const attempt = {
    requestId: meta.requestId,
    email: data.email,
    client: data.client ?? {},
    ipLimitPerMinute: data.ipLimitPerMinute,
    attemptId: data.attemptId,
    device: data.deviceHash,
  };
  const decision = await attemptLogin(ctx.db, attempt, ctx.lockout);
  if (decision.outcome === 'stored') return decision.reply;
  if (decision.outcome === 'rate_limited') return RATE_LIMITED;
  if (decision.outcome === 'locked') return { success: false, lockedUntil: decision.lockedUntil.toISOString() };
  if (decision.lockedUntil) {
    const what = data.deviceHash ? 'A trusted device locked' : 'Account locked for untrusted clients';
    ctx.logger.warn({ failures: decision.failures, lockedUntil: decision.lockedUntil }, `${what} after failed logins`);
  }
  if (decision.hash === undefined) return { success: false };
  return decision.secondFactor ? { success: true, hash: decision.hash, secondFactor: true } : { success: true, hash: decision.hash };
}

/**
 * LOGIN_ABANDONED: the login of one LOGIN_ATTEMPT ended without checking its password (the Front
 * End shed it, or a call timed out), so what that attempt counted is undone (abandonLogin). A
 * repeat, or an id whose login already ended, refunds nothing and says so.
 */
export async function loginAbandoned(ctx: HandlerContext, { data }: RequestOf<'LOGIN_ABANDONED'>, meta: RequestMeta): Promise<Reply> {
  const outcome = await abandonLogin(ctx.db, meta.requestId, data.attemptId, data.email);
  if (typeof outcome !== 'string') return outcome;
  // debug: under a flood every shed login sends one; the Front End already warns of the shedding.
  ctx.logger.debug({ refunded: outcome === 'refunded' }, 'Login abandoned without a verdict');
  return { success: true, refunded: outcome === 'refunded' };
}
