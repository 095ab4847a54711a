import type { FastifyRequest } from 'fastify';
import { refundOnThrow, type AccountGateway } from '../accounts/accounts.js';
import type { Hasher } from './hasher.js';
import type { HashTicket } from './hash-limiter.js';
import { tooManyAttempts } from '../pages/errors.js';

export interface PasswordCheckDeps {
  accounts: AccountGateway;
  hasher: Hasher;
  /** Verified against when the email is unknown or locked, so every failure costs one argon2 run. */
  dummyHash: string;
}

/**
 * The stored hash when `password` matches it, else undefined ('rateLimited': the client's IP is
 * over its budget). Unknown, locked and wrong all cost one look-up and one argon2 verify, so
 * neither timing nor text tells them apart. The login and the Account page's password checks.
 */
export async function checkPassword(deps: PasswordCheckDeps, request: FastifyRequest, email: string, password: string, ticket: HashTicket): Promise<string | undefined | 'rateLimited'> {
  const account = await deps.accounts.lookUp(request, email);
  if (account === 'rateLimited') return 'rateLimited';
  const usable = account.locked ? undefined : account.hash;
  // A verify that is shed (it waited past its budget or its deadline) is no wrong password: the attempt is refunded.
  const verify = () => deps.hasher.verify(usable ?? deps.dummyHash, password, request.log, { ticket, deadlineAt: request.deadlineAt });
  const matches = await refundOnThrow(deps.accounts, request, email, verify);
  return matches ? usable : undefined;
}

/**
 * The Account page's password checks (changes, deletion, TOTP off): the login's check, so a wrong
 * password counts towards the lock; a client over its budget gets the 429 page.
 */
export async function confirmPassword(deps: PasswordCheckDeps, request: FastifyRequest, email: string, password: string): Promise<boolean> {
  const ticket = deps.hasher.reserve(request.deadlineAt);
  const stored = await checkPassword(deps, request, email, password, ticket).finally(() => ticket.release());
  if (stored === 'rateLimited') throw tooManyAttempts();
  if (stored === undefined) await deps.accounts.loginFailed(request, email);
  return stored !== undefined;
}
