import type { Reply, RequestOf } from '@gatehouse/protocol';
import { recordEvent, runOnce } from '@gatehouse/database';
import type { RequestMeta } from '@gatehouse/messaging';
import type { HandlerContext } from './context.js';

/** A new session; at login it also clears the failure count and is audited. One statement. */
export async function sessionCreate(ctx: HandlerContext, { data }: RequestOf<'SESSION_CREATE'>, meta: RequestMeta): Promise<Reply> {
  const outcome = await ctx.sessions.start(meta.requestId, {
    ...data,
    client: data.client ?? {},
    atLogin: data.reason === 'login',
    device: data.deviceHash,
  });
  if (outcome === 'second_factor_required') return { success: false, secondFactor: true, message: 'A second factor is required (MFA_LOGIN_VERIFY starts this session)' };
  return outcome === 'created' ? { success: true } : outcome;
}

export async function sessionGet(ctx: HandlerContext, { data }: RequestOf<'SESSION_GET'>): Promise<Reply> {
  const found = await ctx.sessions.find(data.tokenHash);
  return found === undefined ? { success: false } : { success: true, email: found.email, verified: found.verified };
}

export async function sessionRevoke(ctx: HandlerContext, { data }: RequestOf<'SESSION_REVOKE'>, meta: RequestMeta): Promise<Reply> {
  return runOnce(ctx.db, meta.requestId, async (tx) => {
    const email = await ctx.sessions.revoke(tx, data.tokenHash);
    if (email) await recordEvent(tx, 'logout', email, data.client);
    return { success: true };
  });
}

/** "Log out everywhere": every session of the user who owns the given one. */
export async function sessionRevokeAll(ctx: HandlerContext, { data }: RequestOf<'SESSION_REVOKE_ALL'>, meta: RequestMeta): Promise<Reply> {
  return runOnce(ctx.db, meta.requestId, async (tx) => {
    const { email, revoked } = await ctx.sessions.revokeAllOf(tx, data.tokenHash);
    if (email) await recordEvent(tx, 'logout_everywhere', email, data.client);
    return { success: true, revoked };
  });
}
