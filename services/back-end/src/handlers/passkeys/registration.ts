import { MAX_PASSKEYS, type PasskeyListing, type Reply, type RequestOf } from '@gatehouse/protocol';
import { addPasskey, giveBackAttempt, listPasskeys, recordEvent, removePasskey, runOnce, spendChallenge, storeChallenge, userHandleOf, type PasskeyRow } from '@gatehouse/database';
import type { Sql, TransactionSql } from 'postgres';
import type { RequestMeta } from '@gatehouse/messaging';
import type { HandlerContext } from '../context.js';
import { answeredChallenge, challengeHashOf, newUserHandle } from '../../passkeys/relying-party.js';

export const PASSKEYS_NOT_CONFIGURED: Reply = { success: false, codeState: 'not_configured' };
/** The account holds MAX_PASSKEYS: asked before the ceremony, and again as the passkey is stored (another tab). */
const PASSKEY_LIMIT: Reply = { success: false, passkeyState: 'limit' };

const listing = (p: PasskeyRow): PasskeyListing => ({
  id: p.id,
  name: p.name,
  createdAt: p.createdAt.toISOString(),
  lastUsedAt: p.lastUsedAt?.toISOString() ?? null,
  backedUp: p.backedUp,
});

/** PASSKEY_SUPPORT: reads nothing; the settings decide. */
export const passkeySupport = async (ctx: HandlerContext): Promise<Reply> => ({ success: true, passkeysOffered: ctx.passkeys !== undefined });

/** MFA_STATUS's passkey list; undefined when this Back End has no WebAuthn settings (the page then offers none). */
export async function passkeyListing(ctx: HandlerContext, sql: Sql | TransactionSql, email: string): Promise<PasskeyListing[] | undefined> {
  return ctx.passkeys ? (await listPasskeys(sql, email)).map(listing) : undefined;
}

/**
 * PASSKEY_REGISTER_OPTIONS: options for navigator.credentials.create(), their challenge stored
 * (hashed) bound to the caller's session. Not through runOnce: a redelivery makes a second
 * challenge, and either may be answered once.
 */
export async function passkeyRegisterOptions(ctx: HandlerContext, { data }: RequestOf<'PASSKEY_REGISTER_OPTIONS'>): Promise<Reply> {
  const rp = ctx.passkeys;
  if (!rp) return PASSKEYS_NOT_CONFIGURED;
  return ctx.db.primary((sql) => sql.begin(async (tx): Promise<Reply> => {
    const email = await ctx.sessions.ownerOf(tx, data.tokenHash);
    if (!email) return { success: false };
    const handle = await userHandleOf(tx, email, newUserHandle());
    const held = await listPasskeys(tx, email);
    if (held.length >= MAX_PASSKEYS) return PASSKEY_LIMIT;
    const options = await rp.registrationOptions({ email, handle }, held);
    await storeChallenge(tx, challengeHashOf(options.challenge), 'register', data.tokenHash);
    return { success: true, passkeyOptions: options as unknown as Record<string, unknown> };
  })) as Promise<Reply>;
}

/**
 * PASSKEY_REGISTER: the browser's answer must name a live challenge of this session (spent now,
 * right or wrong) and verify for our origin and RP ID; then the passkey is stored with its
 * counter, transports and backup flags, and the password check's attempt is given back.
 */
export async function passkeyRegister(ctx: HandlerContext, { data }: RequestOf<'PASSKEY_REGISTER'>, meta: RequestMeta): Promise<Reply> {
  const rp = ctx.passkeys;
  if (!rp) return PASSKEYS_NOT_CONFIGURED;
  return runOnce(ctx.db, meta.requestId, async (tx) => {
    const email = await ctx.sessions.ownerOf(tx, data.tokenHash);
    if (!email) return { success: false };
    const challenge = answeredChallenge(data.credential.response.clientDataJSON);
    if (!challenge || (await spendChallenge(tx, challengeHashOf(challenge), 'register', data.tokenHash)) !== 'valid') return { success: false, codeState: 'expired' };
    const verified = await rp.verifyRegistration(data.credential, challenge);
    if (!verified) return { success: false, codeState: 'wrong' };
    const added = await addPasskey(tx, email, { ...verified, name: data.name });
    if (added !== 'added') return added === 'limit' ? PASSKEY_LIMIT : { success: false, passkeyState: 'exists' };
    await giveBackAttempt(tx, data.attemptId, email);
    await recordEvent(tx, 'passkey_added', email, data.client);
    return { success: true };
  });
}

/** PASSKEY_REMOVE: one of the caller's own passkeys goes; another account's is "not enrolled", as a missing one. */
export async function passkeyRemove(ctx: HandlerContext, { data }: RequestOf<'PASSKEY_REMOVE'>, meta: RequestMeta): Promise<Reply> {
  return runOnce(ctx.db, meta.requestId, async (tx) => {
    const email = await ctx.sessions.ownerOf(tx, data.tokenHash);
    if (!email) return { success: false };
    if (!(await removePasskey(tx, email, data.credentialId))) return { success: false, codeState: 'not_enrolled' };
    await recordEvent(tx, 'passkey_removed', email, data.client);
    return { success: true };
  });
}
