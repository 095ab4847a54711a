import type { Reply, RequestOf } from '@gatehouse/protocol';
import { attemptLogin } from '@gatehouse/database';
import type { RequestMeta } from '@gatehouse/messaging';
import type { HandlerContext } from './context.js';

export const RATE_LIMITED: Reply = { success: false, rateLimited: true };

/**
 * LOGIN_ATTEMPT: the deciding step of a login, one statement on the primary (attemptLogin). The
 * IP is counted first (over budget, the account is not touched), then the account's attempt is
 * counted; only an allowed attempt gets the hash. The stored outcome (for a redelivery) is the
 * decision alone: the hash is read after it, so processed_requests never holds a copy.
 */
export async function loginAttempt(ctx: HandlerContext, { data }: RequestOf<'LOGIN_ATTEMPT'>, meta: RequestMeta): Promise<Reply> {
  const attempt = { requestId: meta.requestId, email: data.email, client: data.client ?? {}, ipLimitPerMinute: data.ipLimitPerMinute };
  const decision = await attemptLogin(ctx.db, attempt, ctx.lockout);
  if (decision.outcome === 'stored') return decision.reply;
  if (decision.outcome === 'rate_limited') return RATE_LIMITED;
  if (decision.outcome === 'locked') return { success: false, lockedUntil: decision.lockedUntil.toISOString() };
  if (decision.lockedUntil) ctx.logger.warn({ failures: decision.failures, lockedUntil: decision.lockedUntil }, 'Account locked after failed logins');
  const hash = await ctx.users.findHash(data.email);
  return hash === undefined ? { success: false } : { success: true, hash };
}
