import type { FastifyRequest } from 'fastify';
import type { RpcClient } from '@gatehouse/messaging';
import { callFor } from '../http/rpc-call.js';
import { clientInfo } from '../http/client-info.js';
import type { BackEndAccounts } from '../accounts/back-end-accounts.js';
import { linkState, type LinkState } from '../passwords/password-resets.js';
import type { BackEndSessionStore } from '../sessions/sessions.js';
import { UnexpectedReplyError } from '../unexpected-reply.js';

/** What asking to move the account to a new address did (EMAIL_CHANGE_REQUEST); `ended`: this session is over. */
export type ChangeRequest = 'queued' | 'same' | 'taken' | 'over_budget' | 'ended';

/** What clicking a change-of-address link did: moved (to `email`), taken meanwhile, or a dead link. */
export type ChangeOutcome = LinkState | { state: 'taken' };

/**
 * The Back End's address actions (SESSION_STORE=back-end). As with reset links, the Front End
 * only ever sends a link token's hash on.
 */
export class EmailVerification {
  constructor(
    private readonly rpc: RpcClient,
    private readonly sessions: BackEndSessionStore,
    /** Whose LOGIN_ATTEMPT checked the password of a change: its count is given back. */
    private readonly accounts: BackEndAccounts,
    /** Attempts per client IP per minute, shared with login and registration. */
    private readonly ipLimitPerMinute: number,
  ) {}

  /** "Send it again", for this browser's account when it has a session, else for `email`; alike for every address. */
  async resend(request: FastifyRequest, email: string | undefined): Promise<'done' | 'rateLimited'> {
    const tokenHash = this.sessions.tokenHash(request);
    const whose = tokenHash && request.user ? { tokenHash } : { email };
    const data = { ...whose, client: clientInfo(request), ipLimitPerMinute: this.ipLimitPerMinute };
    const result = await callFor(this.rpc, request, { action: 'VERIFICATION_SEND', data });
    if (result.rateLimited) return 'rateLimited';
    if (!result.success) throw new UnexpectedReplyError('VERIFICATION_SEND', result.message ?? 'success is false');
    return 'done';
  }

  /** Whether `email`'s account has confirmed its address (asked after its password was found right). */
  async isVerified(request: FastifyRequest, email: string): Promise<boolean> {
    const result = await callFor(this.rpc, request, { action: 'VERIFICATION_STATUS', data: { email } });
    if (result.success && typeof result.verified === 'boolean') return result.verified;
    // The account went away between the password check and now: nothing to log in to.
    if (!result.success) return false;
    throw new UnexpectedReplyError('VERIFICATION_STATUS', 'success without verified');
  }

  /** Spends a verification link; the user is logged in under `sessionTokenHash`. */
  async verify(request: FastifyRequest, tokenHash: string, sessionTokenHash: string): Promise<LinkState> {
    const result = await callFor(this.rpc, request, { action: 'EMAIL_VERIFY', data: { tokenHash, sessionTokenHash, client: clientInfo(request) } });
    const state = linkState(result, 'EMAIL_VERIFY');
    // The account has a second factor: the link confirmed the address but started no session.
    return state.state === 'valid' && result.secondFactor === true ? { ...state, secondFactor: true } : state;
  }

  /** A link to `newEmail`, once the caller checked the password through `accounts` (whose attempt it hands over). */
  async requestChange(request: FastifyRequest, newEmail: string): Promise<ChangeRequest> {
    const tokenHash = this.sessions.tokenHash(request);
    const attemptId = this.accounts.takeAttempt(request);
    if (!tokenHash) return 'ended';
    const data = { tokenHash, newEmail, client: clientInfo(request), ...(attemptId ? { attemptId } : {}) };
    const result = await callFor(this.rpc, request, { action: 'EMAIL_CHANGE_REQUEST', data });
    if (result.emailChange) return result.emailChange;
    if (!result.success) return 'ended';
    throw new UnexpectedReplyError('EMAIL_CHANGE_REQUEST', 'success without emailChange');
  }

  /** Spends a change-of-address link. */
  async confirmChange(request: FastifyRequest, tokenHash: string): Promise<ChangeOutcome> {
    const result = await callFor(this.rpc, request, { action: 'EMAIL_CHANGE', data: { tokenHash, client: clientInfo(request) } });
    if (result.emailTaken === true) return { state: 'taken' };
    return linkState(result, 'EMAIL_CHANGE');
  }
}
