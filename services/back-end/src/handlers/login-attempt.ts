import type { ClientInfo, Reply, RequestOf } from '@gatehouse/protocol';
import { countIpAttempt, recordEvent, reserveAttempt, runOnce } from '@gatehouse/database';
import type { RequestMeta } from '@gatehouse/messaging';
import type { HandlerContext } from './context.js';

export const RATE_LIMITED: Reply = { success: false, rateLimited: true };

/** Counts one attempt from the client's IP (logins and registrations share it); true when over the budget. */
export async function overIpBudget(tx: Parameters<typeof countIpAttempt>[0], data: { client?: ClientInfo; ipLimitPerMinute?: number | undefined }): Promise<boolean> {
  const ip = data.client?.ip;
  if (ip === undefined || data.ipLimitPerMinute === undefined) return false;
  return (await countIpAttempt(tx, ip)) > data.ipLimitPerMinute;
}

/**
 * LOGIN_ATTEMPT: the deciding step of a login, on the primary in one transaction. The IP is
 * counted first (over budget, the account is not touched), then the account's attempt slot is
 * reserved; only an allowed attempt gets the hash. The stored reply (for a redelivery) is the
 * decision alone: the hash is read after it, so processed_requests never holds a copy.
 */
export async function loginAttempt(ctx: HandlerContext, { data }: RequestOf<'LOGIN_ATTEMPT'>, meta: RequestMeta): Promise<Reply> {
  const decision = await runOnce(ctx.db, meta.requestId, async (tx) => {
    if (await overIpBudget(tx, data)) return RATE_LIMITED;
    const slot = await reserveAttempt(tx, data.email, ctx.lockout);
    if (!slot.allowed) return { success: false, lockedUntil: slot.lockedUntil.toISOString() };
    if (slot.lockedUntil) {
      await recordEvent(tx, 'lockout', data.email, data.client);
      ctx.logger.warn({ failures: slot.failures, lockedUntil: slot.lockedUntil }, 'Account locked after failed logins');
    }
    return { success: true };
  });
  if (!decision.success) return decision;
  const hash = await ctx.users.findHash(data.email);
  return hash === undefined ? { success: false } : { success: true, hash };
}
