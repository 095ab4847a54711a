import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RpcClient } from '@gatehouse/messaging';
import type { AuthenticationResponse } from '@gatehouse/protocol';
import { callFor } from '../http/rpc-call.js';
import { clientInfo } from '../http/client-info.js';
import type { CookieSettings } from '../http/cookies.js';
import type { PendingLogins, VerifyOutcome } from '../second-factors/pending-login.js';
import { newSessionId, tokenHashOf, type BackEndSessionStore } from '../sessions/sessions.js';
import { UnexpectedReplyError } from '../unexpected-reply.js';
import { refusal, type PasskeyRefusal } from './passkey-settings.js';

/** The Back End keeps a challenge five minutes; the passwordless cookie goes with it. */
const FLOW_SECONDS = 5 * 60;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
/** How long the Back End's "passkeys offered" answer is trusted: a settings change shows within a minute. */
const SUPPORT_TTL_MS = 60_000;

type Options = { options: Record<string, unknown> } | { refused: PasskeyRefusal };

/**
 * Logins with a passkey (SESSION_STORE=back-end). As the second factor, the challenge is bound to
 * the browser's pending login. Alone ("Sign in with a passkey"), it is bound to a random token
 * the browser holds in a cookie for five minutes, so an answer only counts in the browser that
 * asked; the Back End keeps the token's SHA-256 with the challenge, and the session starts only
 * in its PASSKEY_LOGIN.
 */
export class PasskeyLogins {
  constructor(
    private readonly rpc: RpcClient,
    private readonly sessions: BackEndSessionStore,
    private readonly pending: PendingLogins,
    private readonly cookies: CookieSettings,
    /** Attempts per client IP per minute, shared with the password's. */
    private readonly ipLimitPerMinute: number,
    /** EMAIL_VERIFICATION=required: a passkey alone does not log in an unconfirmed address either. */
    private readonly requireVerified = false,
  ) {}

  #support: { offered: boolean; until: number } | undefined;

  /** The last answer to offered(), without asking: the failed-login page must cost the same calls whatever failed. */
  offeredAsKnown(): boolean {
    return this.#support?.offered === true;
  }

  /**
   * Whether the login page shows "Sign in with a passkey": asked of the Back End at most once a
   * minute per Front End. A failed question answers no (the password form is always there).
   */
  async offered(request: FastifyRequest): Promise<boolean> {
    if (this.#support && this.#support.until > Date.now()) return this.#support.offered;
    try {
      const result = await callFor(this.rpc, request, { action: 'PASSKEY_SUPPORT', data: {} });
      this.#support = { offered: result.passkeysOffered === true, until: Date.now() + SUPPORT_TTL_MS };
      return this.#support.offered;
    } catch {
      return false;
    }
  }

  /** Options for the pending login's second factor: its account's passkeys. */
  async secondFactorOptions(request: FastifyRequest): Promise<Options> {
    const pendingHash = this.pending.pendingHash(request);
    if (!pendingHash) return { refused: 'expired' };
    return this.#options(request, { pendingHash });
  }

  /** Options for a login with a passkey alone; a new token goes to the browser with them. */
  async passwordlessOptions(request: FastifyRequest, reply: FastifyReply): Promise<Options> {
    const token = randomBytes(32).toString('base64url');
    const options = await this.#options(request, { flowHash: tokenHashOf(token) });
    if ('options' in options) reply.setCookie(this.cookies.passkeyLogin, token, { ...this.cookies.attributes, maxAge: FLOW_SECONDS });
    return options;
  }

  /** One passwordless try; on success the session starts. `unverified`: a right passkey, but the address is unconfirmed. */
  async passwordless(request: FastifyRequest, reply: FastifyReply, credential: AuthenticationResponse): Promise<VerifyOutcome | { unverified: string }> {
    const token = request.cookies[this.cookies.passkeyLogin];
    if (token === undefined || !TOKEN.test(token)) return 'expired';
    const id = newSessionId();
    const data = {
      flowHash: tokenHashOf(token), sessionTokenHash: tokenHashOf(id), credential, ipLimitPerMinute: this.ipLimitPerMinute, client: clientInfo(request),
      ...(this.requireVerified ? { requireVerified: true } : {}),
    };
    const result = await callFor(this.rpc, request, { action: 'PASSKEY_LOGIN', data });
    if (result.rateLimited) return 'rateLimited';
    // The challenge is spent whatever the outcome: the cookie is of no more use.
    reply.clearCookie(this.cookies.passkeyLogin, this.cookies.attributes);
    if (result.success && typeof result.email === 'string') {
      await this.sessions.adopt(request, reply, result.email, id);
      return 'loggedIn';
    }
    if (result.unverified === true && typeof result.email === 'string') return { unverified: result.email };
    if (result.lockedUntil) return 'locked';
    if (result.codeState === 'expired') return 'expired';
    if (result.codeState === 'wrong') return 'wrong';
    throw new UnexpectedReplyError('PASSKEY_LOGIN', result.message ?? `codeState ${String(result.codeState)}`);
  }

  async #options(request: FastifyRequest, binding: { pendingHash: string } | { flowHash: string }): Promise<Options> {
    const result = await callFor(this.rpc, request, { action: 'PASSKEY_LOGIN_OPTIONS', data: { ...binding, client: clientInfo(request) } });
    if (result.success && result.passkeyOptions) return { options: result.passkeyOptions };
    return { refused: refusal('PASSKEY_LOGIN_OPTIONS', result) };
  }
}
