import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RpcClient } from '@gatehouse/messaging';
import { callFor } from './rpc-call.js';
import { accountFrom, refusedRegistration, type Account, type AccountGateway, type RegisterOutcome } from './accounts.js';
import { clientInfo } from './client-info.js';
import { newSessionId, tokenHashOf, type BackEndSessionStore } from './sessions.js';

/**
 * Our Back End's account actions (SESSION_STORE=back-end): attempts counted per account and
 * per IP before the hash is sent (LOGIN_ATTEMPT), failures audited and locking (LOGIN_FAILED),
 * hashes upgraded (UPDATE_HASH), and a registration's session started in its own transaction.
 */
export class BackEndAccounts implements AccountGateway {
  constructor(
    private readonly rpc: RpcClient,
    private readonly sessions: BackEndSessionStore,
    /** Attempts per client IP per minute, counted by the Back End across all Front Ends. */
    private readonly ipLimitPerMinute: number,
  ) {}

  async register(request: FastifyRequest, reply: FastifyReply, email: string, hash: string): Promise<RegisterOutcome> {
    // The session is created in REGISTER's own transaction: one round trip, not two.
    const id = newSessionId();
    const data = { email, hash, tokenHash: tokenHashOf(id), client: clientInfo(request), ipLimitPerMinute: this.ipLimitPerMinute };
    const result = await callFor(this.rpc, request, { action: 'REGISTER', data });
    if (result.rateLimited) return 'rateLimited';
    if (result.success) {
      // An older Back End (a rolling deploy) ignores tokenHash: it then gets its SESSION_CREATE.
      if (result.session === true) await this.sessions.adopt(request, reply, email, id);
      else await this.sessions.start(request, reply, email, 'register', id);
      return 'registered';
    }
    return refusedRegistration(result);
  }

  async lookUp(request: FastifyRequest, email: string): Promise<Account | 'rateLimited'> {
    // LOGIN_ATTEMPT counts this attempt (per account and per IP, shared by every Front End)
    // before the hash is even sent, so parallel guesses cannot outrun the lock.
    const data = { email, client: clientInfo(request), ipLimitPerMinute: this.ipLimitPerMinute };
    const result = await callFor(this.rpc, request, { action: 'LOGIN_ATTEMPT', data });
    return result.rateLimited ? 'rateLimited' : accountFrom('LOGIN_ATTEMPT', result, request.log);
  }

  async loginFailed(request: FastifyRequest, email: string): Promise<void> {
    await callFor(this.rpc, request, { action: 'LOGIN_FAILED', data: { email, client: clientInfo(request), counted: true } });
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
