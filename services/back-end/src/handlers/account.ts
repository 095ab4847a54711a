import type { Reply, RequestOf } from '@gatehouse/protocol';
import { changePassword, deleteAccount, recordEvent, runOnce } from '@gatehouse/database';
import type { RequestMeta } from '@gatehouse/messaging';
import type { HandlerContext } from './context.js';

/**
 * The Account page's actions. Each is named by the caller's live session, never by an email:
 * a session that ended (or a forged hash) changes nothing and gets `{success: false}`.
 */
export async function accountSessions(ctx: HandlerContext, { data }: RequestOf<'ACCOUNT_SESSIONS'>): Promise<Reply> {
  const sessions = await ctx.sessions.listFor(data.tokenHash);
  return sessions ? { success: true, sessions } : { success: false };
}

export async function sessionEndOthers(ctx: HandlerContext, { data }: RequestOf<'SESSION_END_OTHERS'>, meta: RequestMeta): Promise<Reply> {
  return runOnce(ctx.db, meta.requestId, async (tx) => {
    const { email, revoked } = await ctx.sessions.revokeOthers(tx, data.tokenHash, data.ref);
    if (!email) return { success: false };
    if (revoked > 0) await recordEvent(tx, 'session_end', email, data.client);
    return { success: true, revoked };
  });
}

export async function passwordChange(ctx: HandlerContext, { data }: RequestOf<'PASSWORD_CHANGE'>, meta: RequestMeta): Promise<Reply> {
  return runOnce(ctx.db, meta.requestId, async (tx) => {
    const { email, revoked } = await changePassword(tx, ctx.sessions, { tokenHash: data.tokenHash, hash: data.hash, attemptId: data.attemptId, client: data.client ?? {} });
    return email ? { success: true, revoked } : { success: false };
  });
}

export async function accountDelete(ctx: HandlerContext, { data }: RequestOf<'ACCOUNT_DELETE'>, meta: RequestMeta): Promise<Reply> {
  return runOnce(ctx.db, meta.requestId, async (tx) => {
    const { email } = await deleteAccount(tx, ctx.sessions, { tokenHash: data.tokenHash, attemptId: data.attemptId, client: data.client ?? {} });
    if (email) ctx.logger.info('Account deleted');
    return { success: email !== undefined };
  });
}
