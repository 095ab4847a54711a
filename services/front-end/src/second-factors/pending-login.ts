import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RpcClient } from '@gatehouse/messaging';
import { Messages, type AuthenticationResponse } from '@gatehouse/protocol';
import { callFor } from '../http/rpc-call.js';
import { clientInfo } from '../http/client-info.js';
import type { CookieSettings } from '../http/cookies.js';
import type { DeviceTrust } from '../sessions/device-cookies.js';
import { newSessionId, tokenHashOf, type BackEndSessionStore } from '../sessions/sessions.js';
import { UnexpectedReplyError } from '../unexpected-reply.js';

/** The Back End keeps a pending login five minutes; the cookie goes with it. */
const PENDING_SECONDS = 5 * 60;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export type SecondFactorProof = { code: string } | { recoveryCodeHash: string } | { passkey: AuthenticationResponse };
/** What the code page may offer the pending login's account. */
export interface LoginFactors {
  totp: boolean;
  passkeys: boolean;
}
export type VerifyOutcome = 'loggedIn' | 'wrong' | 'expired' | 'locked' | 'rateLimited';

/**
 * A login between its password and its second factor (SESSION_STORE=back-end). The browser holds
 * a random token in a cookie; the Back End holds its SHA-256 with the account, for five minutes.
 * Nothing here is a session: the session starts only in the Back End's MFA_LOGIN_VERIFY.
 */
export class PendingLogins {
  constructor(
    private readonly rpc: RpcClient,
    private readonly sessions: BackEndSessionStore,
    private readonly devices: DeviceTrust,
    private readonly cookies: CookieSettings,
    /** Attempts per client IP per minute, shared with the password's. */
    private readonly ipLimitPerMinute: number,
  ) {}

  /** Whether the browser holds a well-formed pending-login cookie (the Back End decides if it is live). */
  has(request: FastifyRequest): boolean {
    return this.#hash(request) !== undefined;
  }

  /** The hash the Back End knows the browser's pending login by (passkeys/passkey-logins.ts binds challenges to it). */
  pendingHash(request: FastifyRequest): string | undefined {
    return this.#hash(request);
  }

  /** The factors the pending login's account has; undefined when the pending login is not live. */
  async factors(request: FastifyRequest): Promise<LoginFactors | undefined> {
    const pendingHash = this.#hash(request);
    if (!pendingHash) return undefined;
    const result = await callFor(this.rpc, request, { action: 'MFA_LOGIN_FACTORS', data: { pendingHash } });
    // A Back End from before passkeys (a rolling deploy) knows only codes; the code's answer says whether the login is live.
    if (result.message === Messages.unknownAction) return { totp: true, passkeys: false };
    if (!result.success || !result.secondFactors) return undefined;
    return { totp: result.secondFactors.totp, passkeys: (result.secondFactors.passkeys ?? 0) > 0 };
  }

  /** The password of `email` was right: the login now waits for its second factor. */
  async begin(request: FastifyRequest, reply: FastifyReply, email: string, attemptId: string | undefined): Promise<void> {
    const token = randomBytes(32).toString('base64url');
    const device = this.devices.deviceOf(request, email);
    const data = { email, pendingHash: tokenHashOf(token), client: clientInfo(request), ...(attemptId ? { attemptId } : {}), ...(device ? { deviceHash: device.hash } : {}) };
    const result = await callFor(this.rpc, request, { action: 'MFA_LOGIN_BEGIN', data });
    if (!result.success) throw new UnexpectedReplyError('MFA_LOGIN_BEGIN', result.message ?? 'no second factor after all');
    reply.setCookie(this.cookies.pendingLogin, token, { ...this.cookies.attributes, maxAge: PENDING_SECONDS });
  }

  /** One try at the second factor; on success the session starts and the pending login is gone. */
  async verify(request: FastifyRequest, reply: FastifyReply, proof: SecondFactorProof): Promise<VerifyOutcome> {
    const pendingHash = this.#hash(request);
    if (!pendingHash) return 'expired';
    const id = newSessionId();
    const data = { pendingHash, sessionTokenHash: tokenHashOf(id), ipLimitPerMinute: this.ipLimitPerMinute, client: clientInfo(request), ...proof };
    const result = await callFor(this.rpc, request, { action: 'MFA_LOGIN_VERIFY', data });
    if (result.rateLimited) return 'rateLimited';
    if (result.success && typeof result.email === 'string') {
      this.clear(reply);
      await this.sessions.adopt(request, reply, result.email, id);
      this.devices.trust(request, reply, result.email);
      return 'loggedIn';
    }
    if (result.lockedUntil || result.codeState === 'expired') this.clear(reply);
    if (result.lockedUntil) return 'locked';
    if (result.codeState === 'expired') return 'expired';
    if (result.codeState === 'wrong') return 'wrong';
    throw new UnexpectedReplyError('MFA_LOGIN_VERIFY', result.message ?? `codeState ${String(result.codeState)}`);
  }

  clear(reply: FastifyReply): void {
    reply.clearCookie(this.cookies.pendingLogin, this.cookies.attributes);
  }

  #hash(request: FastifyRequest): string | undefined {
    const token = request.cookies[this.cookies.pendingLogin];
    return token !== undefined && TOKEN.test(token) ? tokenHashOf(token) : undefined;
  }
}
