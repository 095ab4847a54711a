import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RpcError, type RpcClient } from '@gatehouse/messaging';
import { callFor } from '../http/rpc-call.js';
import type { Reply } from '@gatehouse/protocol';
import { clientInfo } from '../http/client-info.js';
import type { CookieSettings } from '../http/cookies.js';
import type { SessionStartReason, SessionStore } from './session-store.js';
import { UnexpectedReplyError } from '../unexpected-reply.js';

/** 32 random bytes in base64url: 256 bits, far above OWASP's 128-bit minimum. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export interface SessionSettings {
  cookies: CookieSettings;
  /** The cookie's Max-Age; the Back End enforces the same absolute and idle limits. */
  absoluteHours: number;
  /** Mark pages of users whose address is unconfirmed (`request.emailUnverified`), for the notice. */
  noticeUnverified?: boolean;
}

export interface StartOptions {
  /** The session's id, when the caller chose it already. */
  id?: string;
  /** The trusted device this login came from. */
  deviceHash?: string;
}

export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/** What the Back End stores and looks up; the id itself never leaves this process. */
export function tokenHashOf(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex');
}

/**
 * Server-side sessions (SESSION_STORE=back-end): the cookie holds a random id, the Back End
 * holds the session under the id's SHA-256, with its idle and absolute limits, lockout and
 * audit. This process keeps nothing, so any replica serves any request.
 */
export class BackEndSessionStore implements SessionStore {
  readonly canLogOutEverywhere = true;

  constructor(
    private readonly rpc: RpcClient,
    private readonly settings: SessionSettings,
  ) {}

  /** The hash of the request's session id; undefined without a well-formed cookie. */
  tokenHash(request: FastifyRequest): string | undefined {
    const id = request.cookies[this.settings.cookies.session];
    // Garbage and forged cookies are dropped here, without a message to the Back End.
    return id !== undefined && SESSION_ID.test(id) ? tokenHashOf(id) : undefined;
  }

  /**
   * preHandler for pages: sets `request.user`. A Back End that cannot answer is a 503:
   * treating it as "logged out" would silently drop users' sessions on every hiccup.
   */
  readonly loadUser = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const tokenHash = this.tokenHash(request);
    if (tokenHash === undefined) return;
    const result = await callFor(this.rpc, request, { action: 'SESSION_GET', data: { tokenHash } });
    if (result.success && typeof result.email === 'string' && result.email !== '') {
      request.user = result.email;
      // An older Back End sends no `verified`: no notice rather than a wrong one.
      request.emailUnverified = this.settings.noticeUnverified === true && result.verified === false;
    } else if (result.success) throw new UnexpectedReplyError('SESSION_GET', 'success without an email');
    else this.#clearCookie(reply); // unknown, revoked or expired: stop sending it
  };

  /**
   * preHandler for the login and register forms: those pages must still render while the
   * Back End is slow, since showing a form needs no session. Anything but an RPC failure
   * still propagates.
   */
  readonly loadUserOrAnonymous = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    try {
      await this.loadUser(request, reply);
    } catch (err) {
      if (!(err instanceof RpcError)) throw err;
      request.log.warn({ err }, 'session lookup failed; showing the form as logged out');
      request.user = null;
    }
  };

  /**
   * Logs `email` in under a brand-new id (never the one the browser came with, so a session
   * cannot be fixed in advance), then ends the session the browser had before, if any. A login
   * from a trusted device names it (`deviceHash`), so the Back End resets that device's failures.
   */
  async start(request: FastifyRequest, reply: FastifyReply, email: string, reason: SessionStartReason, options: StartOptions = {}): Promise<void> {
    const id = options.id ?? newSessionId();
    const device = options.deviceHash === undefined ? {} : { deviceHash: options.deviceHash };
    const result = await callFor(this.rpc, request, {
      action: 'SESSION_CREATE',
      data: { email, tokenHash: tokenHashOf(id), reason, client: clientInfo(request), ...device },
    });
    expectSuccess('SESSION_CREATE', result);
    await this.adopt(request, reply, email, id);
  }

  /** Hands the browser session `id`, which the Back End already stored (REGISTER can create it). */
  async adopt(request: FastifyRequest, reply: FastifyReply, email: string, id: string): Promise<void> {
    const previous = this.tokenHash(request);
    reply.setCookie(this.settings.cookies.session, id, { ...this.settings.cookies.attributes, maxAge: this.settings.absoluteHours * 3600 });
    // A new CSRF secret too, so a token seen before login is worthless after it.
    reply.clearCookie(this.settings.cookies.csrf, this.settings.cookies.attributes);
    request.user = email;
    if (previous !== undefined) await this.#revokeQuietly(request, previous);
  }

  /** Logout: the Back End forgets the session, the browser forgets the cookie. */
  async end(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const tokenHash = this.tokenHash(request);
    if (tokenHash !== undefined) {
      const result = await callFor(this.rpc, request, { action: 'SESSION_REVOKE', data: { tokenHash, client: clientInfo(request) } });
      expectSuccess('SESSION_REVOKE', result);
    }
    this.#clearCookie(reply);
  }

  /** "Log out everywhere": every session of this session's user. Returns how many ended. */
  async endEverywhere(request: FastifyRequest, reply: FastifyReply): Promise<number> {
    const tokenHash = this.tokenHash(request);
    let revoked = 0;
    if (tokenHash !== undefined) {
      const result = await callFor(this.rpc, request, { action: 'SESSION_REVOKE_ALL', data: { tokenHash, client: clientInfo(request) } });
      expectSuccess('SESSION_REVOKE_ALL', result);
      revoked = result.revoked ?? 0;
    }
    this.#clearCookie(reply);
    return revoked;
  }

  #clearCookie(reply: FastifyReply): void {
    reply.clearCookie(this.settings.cookies.session, this.settings.cookies.attributes);
    reply.request.user = null;
  }

  /** The new session already works; failing to end the old one must not undo the login. */
  async #revokeQuietly(request: FastifyRequest, tokenHash: string): Promise<void> {
    try {
      await callFor(this.rpc, request, { action: 'SESSION_REVOKE', data: { tokenHash, client: clientInfo(request) } });
    } catch (err) {
      request.log.warn({ err }, 'could not revoke the session replaced at login');
    }
  }
}

function expectSuccess(action: string, result: Reply): void {
  if (!result.success) throw new UnexpectedReplyError(action, result.message ?? 'success is false');
}
