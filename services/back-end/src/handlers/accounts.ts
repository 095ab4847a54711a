import { Messages, type Reply, type RequestOf } from '@gatehouse/protocol';
import { countFailure, lockedUntil, secondFactorForLogin, recordEvent, registerAccount, runOnce, type RegisterOutcome } from '@gatehouse/database';
import type { RequestMeta } from '@gatehouse/messaging';
import type { HandlerContext } from './context.js';
import { RATE_LIMITED } from './login-attempt.js';

/**
 * The textbook's REGISTER, as one statement (registerAccount): its INSERT … ON CONFLICT means two
 * workers cannot both succeed. With a tokenHash the session starts in the same transaction, so
 * a redelivery gets the first reply and never a second session.
 */
export async function register(ctx: HandlerContext, { data }: RequestOf<'REGISTER'>, meta: RequestMeta): Promise<Reply> {
  const { outcome, mailId } = await registerAccount(ctx.db, {
    requestId: meta.requestId,
    email: data.email,
    hash: data.hash,
    tokenHash: data.tokenHash,
    sessionSeconds: ctx.sessions.absoluteSeconds,
    client: data.client ?? {},
    ipLimitPerMinute: data.ipLimitPerMinute,
  }, data.verifyEmail ? ctx.verifications : undefined);
  // A new account's verification mail was queued with it: hand it over now, not at the next sweep.
  if (mailId) ctx.outbox.kick(mailId);
  return typeof outcome === 'string' ? REGISTER_REPLIES[outcome] : outcome;
}

const REGISTER_REPLIES: Record<RegisterOutcome, Reply> = {
  created: { success: true },
  created_with_session: { success: true, session: true },
  exists: { success: false, message: Messages.userExists },
  rate_limited: RATE_LIMITED,
};

/**
 * The textbook's GETHASH, plus the account's lock so the Front End can refuse without saying why.
 * The hash may come from a standby; the lock is read on the primary (on a standby only while
 * the primary cannot answer), so reads keep working through a failover.
 */
export async function getHash(ctx: HandlerContext, { data }: RequestOf<'GETHASH'>): Promise<Reply> {
  const [hash, locked, secondFactor] = await Promise.all([
    ctx.users.findHash(data.email),
    lockedUntil(ctx.db, data.email),
    secondFactorForLogin(ctx.db, data.email),
  ]);
  const lock = locked ? { lockedUntil: locked.toISOString() } : {};
  // GETHASH logs in with the password alone (SESSION_STORE=cookie, the textbook's clients): an
  // account with a second factor must not, so its hash is not given out here.
  if (secondFactor) return { success: false, secondFactor: true, ...lock };
  return hash === undefined ? { success: false, ...lock } : { success: true, hash, ...lock };
}

export async function updateHash(ctx: HandlerContext, { data }: RequestOf<'UPDATE_HASH'>, meta: RequestMeta): Promise<Reply> {
  return runOnce(ctx.db, meta.requestId, async (tx) => ({ success: await ctx.users.updateHash(tx, data.email, data.hash) }));
}

/** Audits a failed login, and counts it towards the lock unless LOGIN_ATTEMPT did (then it audits only). */
export async function loginFailed(ctx: HandlerContext, { data }: RequestOf<'LOGIN_FAILED'>, meta: RequestMeta): Promise<Reply> {
  return runOnce(ctx.db, meta.requestId, async (tx) => {
    await recordEvent(tx, 'login_failure', data.email, data.client);
    if (data.counted) return { success: true }; // LOGIN_ATTEMPT counted it, and started any lock
    const { failures, lockedUntil: until } = await countFailure(tx, data.email, ctx.lockout);
    if (!until) return { success: true };
    await recordEvent(tx, 'lockout', data.email, data.client);
    ctx.logger.warn({ failures, lockedUntil: until }, 'Account locked after failed logins'); // the email is in auth_events
    return { success: true, lockedUntil: until.toISOString() };
  });
}
