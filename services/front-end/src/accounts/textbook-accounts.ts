import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RpcClient } from '@gatehouse/messaging';
import { callFor } from '../http/rpc-call.js';
import { accountFrom, refusedRegistration, type Account, type LoginOutcome, type AccountGateway, type RegisterOutcome } from './accounts.js';
import type { SessionStore } from '../sessions/session-store.js';

/**
 * The textbook's two actions alone (SESSION_STORE=cookie), so the Front End works with a Back
 * End written as in the book: REGISTER {email, hash} and GETHASH {email}. Nothing is counted,
 * locked, audited or upgraded there; the per-IP limit of this process still applies.
 */
export class TextbookAccounts implements AccountGateway {
  constructor(
    private readonly rpc: RpcClient,
    private readonly sessions: SessionStore,
  ) {}

  async register(request: FastifyRequest, reply: FastifyReply, email: string, hash: string): Promise<RegisterOutcome> {
    const result = await callFor(this.rpc, request, { action: 'REGISTER', data: { email, hash } });
    if (result.success) {
      await this.sessions.start(request, reply, email, 'register');
      return 'registered';
    }
    return refusedRegistration(result);
  }

  async lookUp(request: FastifyRequest, email: string): Promise<Account> {
    return accountFrom('GETHASH', await callFor(this.rpc, request, { action: 'GETHASH', data: { email } }), request.log);
  }

  async loginFailed(): Promise<void> {}

  /** GETHASH counts nothing, so there is nothing to give back. */
  loginAbandoned(): void {}

  async logIn(request: FastifyRequest, reply: FastifyReply, email: string): Promise<LoginOutcome> {
    await this.sessions.start(request, reply, email, 'login');
    return 'loggedIn';
  }

  async upgradeHash(): Promise<void> {}
}
