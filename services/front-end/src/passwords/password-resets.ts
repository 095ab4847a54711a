import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { RpcClient } from '@gatehouse/messaging';
import { callFor } from '../http/rpc-call.js';
import { clientInfo } from '../http/client-info.js';
import { UnexpectedReplyError } from '../unexpected-reply.js';

/** What a reset link is worth; `valid` carries whose it is. */
export type LinkState = { state: 'valid'; email: string; secondFactor?: boolean } | { state: 'used' | 'expired' | 'unknown' };

/** A reset link's token as the mail carries it: 32 random bytes, base64url (43 characters). */
const LINK_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The hash the Back End stores and looks up; undefined for anything that cannot be one of our tokens. */
export function linkTokenHash(token: unknown): string | undefined {
  if (typeof token !== 'string' || !LINK_TOKEN.test(token)) return undefined;
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The Back End's password reset actions (SESSION_STORE=back-end). The Front End never sees a
 * link's token except when the user brings it back, and only sends its hash on.
 */
export class PasswordResets {
  constructor(
    private readonly rpc: RpcClient,
    /** Attempts per client IP per minute, shared with login and registration. */
    private readonly ipLimitPerMinute: number,
  ) {}

  /** Always the same outcome for the caller, account or not; `rateLimited` only for the IP's budget. */
  async request(request: FastifyRequest, email: string): Promise<'done' | 'rateLimited'> {
    const result = await callFor(this.rpc, request, {
      action: 'PASSWORD_RESET_REQUEST',
      data: { email, client: clientInfo(request), ipLimitPerMinute: this.ipLimitPerMinute },
    });
    if (result.rateLimited) return 'rateLimited';
    if (!result.success) throw new UnexpectedReplyError('PASSWORD_RESET_REQUEST', result.message ?? 'success is false');
    return 'done';
  }

  async check(request: FastifyRequest, tokenHash: string): Promise<LinkState> {
    const result = await callFor(this.rpc, request, { action: 'RESET_TOKEN_CHECK', data: { tokenHash } });
    return linkState(result, 'RESET_TOKEN_CHECK');
  }

  /** Spends the link: the new hash, every session ended, and the new session `sessionTokenHash`. */
  async complete(request: FastifyRequest, tokenHash: string, hash: string, sessionTokenHash: string): Promise<LinkState> {
    const result = await callFor(this.rpc, request, { action: 'PASSWORD_RESET', data: { tokenHash, hash, sessionTokenHash, client: clientInfo(request) } });
    const state = linkState(result, 'PASSWORD_RESET');
    // The account has a second factor: the reset started no session (a mailbox is no second factor).
    return state.state === 'valid' && result.secondFactor === true ? { ...state, secondFactor: true } : state;
  }
}

/** A link action's reply as a LinkState; a reply that makes no sense throws. */
export function linkState(result: { success: boolean; tokenState?: string; email?: string }, action: string): LinkState {
  if (result.success && result.tokenState === 'valid' && typeof result.email === 'string') return { state: 'valid', email: result.email };
  if (result.tokenState === 'used' || result.tokenState === 'expired' || result.tokenState === 'unknown') return { state: result.tokenState };
  throw new UnexpectedReplyError(action, `tokenState ${String(result.tokenState)}`);
}
