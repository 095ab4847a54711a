import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { Messages, type Reply } from '@gatehouse/protocol';
import { UnexpectedReplyError } from '../unexpected-reply.js';

/** What a login needs to know about an account; no hash when the Back End knows no such user. */
export interface Account {
  hash: string | undefined;
  locked: boolean;
  /** GETHASH: the account has a second factor, which a password-only login cannot pass. */
  secondFactor?: boolean;
}

/** `secondFactor`: the password was right, and the login now waits for the second factor (second-factors/). */
export type LoginOutcome = 'loggedIn' | 'secondFactor';

/** `verifyFirst`: registered, but not logged in until the address is confirmed (EMAIL_VERIFICATION=required). */
export type RegisterOutcome = 'registered' | 'verifyFirst' | 'exists' | 'rateLimited';

/**
 * The account actions the routes use. Two implementations, chosen with the session store
 * (session-mode.ts): our Back End's full protocol (back-end-accounts.ts) and the textbook's
 * REGISTER and GETHASH alone (textbook-accounts.ts).
 */
export interface AccountGateway {
  /** Registers the user and logs them in. */
  register(request: FastifyRequest, reply: FastifyReply, email: string, hash: string): Promise<RegisterOutcome>;
  /** The stored hash and lock state for a login, or 'rateLimited' when the client's IP is over its budget. */
  lookUp(request: FastifyRequest, email: string): Promise<Account | 'rateLimited'>;
  /** A login failed: counted towards the lock and audited, where the Back End does that. */
  loginFailed(request: FastifyRequest, email: string): Promise<void>;
  /**
   * The login `lookUp` began ended without a verdict on the password (shed, timed out): what it
   * counted is given back, in the background, and a failure to do so only logged.
   */
  loginAbandoned(request: FastifyRequest, email: string): void;
  /**
   * The password matched: the session starts (and, where the Back End has lockout, this browser
   * becomes a trusted device), or, for an account with a second factor, a pending login does.
   */
  logIn(request: FastifyRequest, reply: FastifyReply, email: string): Promise<LoginOutcome>;
  /** Stores a hash at today's parameters (`makeHash` runs only where the Back End can store it). */
  upgradeHash(request: FastifyRequest, email: string, makeHash: () => Promise<string>): Promise<void>;
}

/**
 * Runs a step of a login that has no verdict yet (the verify, the session's start). If it throws,
 * the password was never found wrong, so the attempt LOGIN_ATTEMPT counted is refunded.
 */
export async function refundOnThrow<T>(accounts: AccountGateway, request: FastifyRequest, email: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    accounts.loginAbandoned(request, email);
    throw err;
  }
}

/** The account's hash and lock state from a LOGIN_ATTEMPT or GETHASH reply. */
export function accountFrom(action: string, result: Reply, log: FastifyBaseLogger): Account {
  const locked = typeof result.lockedUntil === 'string' && result.lockedUntil !== '';
  if (!result.success) {
    // The protocol's "not found" is a bare {success:false}; anything else is worth a look.
    if (result.message) log.warn({ backEndMessage: result.message }, `${action} refused`);
    return result.secondFactor ? { hash: undefined, locked, secondFactor: true } : { hash: undefined, locked };
  }
  if (typeof result.hash !== 'string' || result.hash === '') throw new UnexpectedReplyError(action, 'success without a hash');
  return { hash: result.hash, locked };
}

/** A REGISTER that did not succeed: the user exists, or the reply makes no sense. */
export function refusedRegistration(result: Reply): 'exists' {
  if (result.message === Messages.userExists) return 'exists';
  throw new UnexpectedReplyError('REGISTER', result.message ?? 'success is false');
}
