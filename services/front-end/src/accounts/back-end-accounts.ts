import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RpcClient } from '@gatehouse/messaging';
import { callDetached, callFor } from '../http/rpc-call.js';
import { accountFrom, refusedRegistration, type Account, type AccountGateway, type LoginOutcome, type RegisterOutcome } from './accounts.js';
import { clientInfo } from '../http/client-info.js';
import type { EmailVerificationMode } from '../config.js';
import type { DeviceTrust } from '../sessions/device-cookies.js';
import type { PendingLogins } from '../second-factors/pending-login.js';
import { newSessionId, tokenHashOf, type BackEndSessionStore } from '../sessions/sessions.js';

/**
 * Our Back End's account actions (SESSION_STORE=back-end): attempts counted per account and
 * per IP before the hash is sent (LOGIN_ATTEMPT), failures audited and locking (LOGIN_FAILED),
 * attempts without a verdict refunded (LOGIN_ABANDONED), hashes upgraded (UPDATE_HASH), a
 * registration's session started in its own transaction, and browsers that logged in trusted
 * as devices with their own failure budget (device-cookies.ts).
 */
export class BackEndAccounts implements AccountGateway {
  /** The id of the LOGIN_ATTEMPT each login in flight began with, for its refund. */
  readonly #attempts = new WeakMap<FastifyRequest, string>();
  /** Logins whose account has a second factor (LOGIN_ATTEMPT said so): logIn begins a pending login instead. */
  readonly #secondFactor = new WeakSet<FastifyRequest>();

  constructor(
    private readonly rpc: RpcClient,
    private readonly sessions: BackEndSessionStore,
    /** Attempts per client IP per minute, counted by the Back End across all Front Ends. */
    private readonly ipLimitPerMinute: number,
    private readonly devices: DeviceTrust,
    private readonly pending: PendingLogins,
    /** EMAIL_VERIFICATION: whether REGISTER queues a link, and whether the new account may log in before it is clicked. */
    private readonly verification: EmailVerificationMode = 'off',
  ) {}

  async register(request: FastifyRequest, reply: FastifyReply, email: string, hash: string): Promise<RegisterOutcome> {
    // The session is created in REGISTER's own transaction: one round trip, not two.
    // With EMAIL_VERIFICATION=required there is none: the link in the mail logs the user in.
    const id = newSessionId();
    const required = this.verification === 'required';
    const data = {
      email,
      hash,
      ...(required ? {} : { tokenHash: tokenHashOf(id) }),
      ...(this.verification === 'off' ? {} : { verifyEmail: true }),
      client: clientInfo(request),
      ipLimitPerMinute: this.ipLimitPerMinute,
    };
    const result = await callFor(this.rpc, request, { action: 'REGISTER', data });
    if (result.rateLimited) return 'rateLimited';
    if (result.success && required) return 'verifyFirst';
    if (result.success) {
      // An older Back End (a rolling deploy) ignores tokenHash: it then gets its SESSION_CREATE.
      if (result.session === true) await this.sessions.adopt(request, reply, email, id);
      else await this.sessions.start(request, reply, email, 'register', { id });
      // Choosing the password proves it as well as typing it: this browser is the owner's.
      this.devices.trust(request, reply, email);
      return 'registered';
    }
    return refusedRegistration(result);
  }

  async lookUp(request: FastifyRequest, email: string): Promise<Account | 'rateLimited'> {
    // LOGIN_ATTEMPT counts this attempt (per account and per IP, shared by every Front End)
    // before the hash is even sent, so parallel guesses cannot outrun the lock. A trusted
    // device's attempt counts on that device's own budget instead of the untrusted clients'.
    const attemptId = randomUUID();
    this.#attempts.set(request, attemptId);
    const device = this.devices.deviceOf(request, email);
    const data = {
      email,
      client: clientInfo(request),
      ipLimitPerMinute: this.ipLimitPerMinute,
      attemptId,
      ...(device ? { deviceHash: device.hash } : {}),
    };
    // A call that fails may still have been counted (the reply came too late): refund it.
    const result = await callFor(this.rpc, request, { action: 'LOGIN_ATTEMPT', data }).catch((err: unknown) => {
      this.loginAbandoned(request, email);
      throw err;
    });
    if (result.secondFactor) this.#secondFactor.add(request);
    return result.rateLimited ? 'rateLimited' : accountFrom('LOGIN_ATTEMPT', result, request.log);
  }

  /**
   * The password `lookUp` checked was right and the caller changes the account with it (Account
   * page): the attempt is handed over, so the change's own request gives its count back.
   */
  takeAttempt(request: FastifyRequest): string | undefined {
    const attemptId = this.#attempts.get(request);
    this.#attempts.delete(request);
    return attemptId;
  }

  async loginFailed(request: FastifyRequest, email: string): Promise<void> {
    this.#attempts.delete(request); // a verdict: this attempt is never refunded
    await callFor(this.rpc, request, { action: 'LOGIN_FAILED', data: { email, client: clientInfo(request), counted: true } });
  }

  /**
   * Not awaited by the login: its 503 should not wait for one more call to a Back End that may
   * be what timed out. Sent once per attempt; the Back End refunds an attempt at most once.
   */
  loginAbandoned(request: FastifyRequest, email: string): void {
    const attemptId = this.#attempts.get(request);
    if (attemptId === undefined) return;
    this.#attempts.delete(request);
    const notRefunded = 'login ended without a verdict and its attempt could not be given back; it counts as a failure';
    callDetached(this.rpc, request, { action: 'LOGIN_ABANDONED', data: { email, attemptId, client: clientInfo(request) } }).then(
      (result) => {
        // An older Back End (a rolling deploy) answers "Unknown action".
        if (result.success) request.log.debug({ refunded: result.refunded }, 'login ended without a verdict; its attempt was given back');
        else request.log.warn({ backEndMessage: result.message }, notRefunded);
      },
      (err: unknown) => request.log.warn({ err }, notRefunded),
    );
  }

  async logIn(request: FastifyRequest, reply: FastifyReply, email: string): Promise<LoginOutcome> {
    if (this.#secondFactor.has(request)) {
      // MFA_LOGIN_BEGIN gives this attempt's count back: the codes are counted from here on.
      await this.pending.begin(request, reply, email, this.#attempts.get(request));
      this.#attempts.delete(request);
      return 'secondFactor';
    }
    const device = this.devices.deviceOf(request, email);
    await this.sessions.start(request, reply, email, 'login', device ? { deviceHash: device.hash } : {});
    this.#attempts.delete(request);
    this.devices.trust(request, reply, email);
    return 'loggedIn';
  }

  /** The user is already logged in, so a failure here is only worth a warning. */
  async upgradeHash(request: FastifyRequest, email: string, makeHash: () => Promise<string>): Promise<void> {
    try {
      const data = { email, hash: await makeHash(), client: clientInfo(request) };
      const result = await callFor(this.rpc, request, { action: 'UPDATE_HASH', data });
      if (!result.success) request.log.warn({ backEndMessage: result.message }, 'UPDATE_HASH refused; the old hash stays');
    } catch (err) {
      request.log.warn({ err }, 'could not upgrade the password hash; the old one stays');
    }
  }
}
