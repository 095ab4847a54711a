import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { RpcClient } from '@gatehouse/messaging';
import { Messages, type Reply } from '@gatehouse/protocol';
import { clientInfo } from '../client-info.js';
import { parseLoginForm, parseRegisterForm } from '../forms.js';
import type { Hasher } from '../hasher.js';
import { needsRehash, type Argon2Params } from '../password.js';
import { MAX_PASSWORD_LENGTH, MIN_LOCAL_PART_TO_CHECK, MIN_PASSWORD_LENGTH, PASSWORD_RULES } from '../password-policy.js';
import { safeNextPath } from '../next-path.js';
import { renderForm } from '../render.js';
import { newSessionId, tokenHashOf, type Sessions } from '../sessions.js';
import { UnexpectedReplyError } from '../unexpected-reply.js';

/**
 * The single login failure text: it never says which of the two was wrong, nor whether the
 * account is locked (the login page mentions lockouts after every failure alike).
 */
export const INVALID_LOGIN = 'Invalid email or password.';
export const USER_EXISTS = 'An account with this email address already exists.';
/** Shown on the login page reached from a page that needs a login (`?next=`). */
export const LOGIN_NEEDED = 'Log in to see that page.';

export interface AuthDeps {
  rpc: RpcClient;
  sessions: Sessions;
  /** Parameters for new hashes; a stored hash made with others is upgraded at login. */
  argon2: Argon2Params;
  /** Verified against when the email is unknown or locked, so every failure costs one argon2 run. */
  dummyHash: string;
  /** Runs every argon2 hash and verify: bounded, and capped in what a stored hash may cost. */
  hasher: Hasher;
  /** Attempts per client IP per minute: logins across all Front Ends (LOGIN_ATTEMPT), and in this process for both forms. */
  rateLimitPerMinute: number;
}

/** The 429 page (errors.ts), for an IP over the budget all Front Ends share. */
const tooManyAttempts = () => Object.assign(new Error('Too many login attempts from this IP'), { statusCode: 429 });

/** The page to return to after the form, from the query or the form's hidden field; only local paths. */
function nextOf(source: unknown): string | undefined {
  return typeof source === 'object' && source !== null ? safeNextPath((source as Record<string, unknown>).next) : undefined;
}

/** What the register page's script checks as the user types: the same numbers the server enforces. */
const PASSWORD_HINT = { minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH, minLocalPart: MIN_LOCAL_PART_TO_CHECK };
const registerPage = (next: string | undefined) => ({ title: 'Create an account', next, rules: PASSWORD_RULES, policy: PASSWORD_HINT, scripts: ['password-hint.js'] });
const loginPage = (next: string | undefined) => ({ title: 'Log in', next });

/** What LOGIN_ATTEMPT told us about an account. */
interface Account {
  hash: string | undefined;
  locked: boolean;
}

export function registerAuthRoutes(app: FastifyInstance, deps: AuthDeps): void {
  const { sessions } = deps;
  // One budget per client IP shared by both forms, counted in this process before the
  // body is even parsed; a refused attempt gets the 429 page from errors.ts.
  const attempt = {
    onRequest: app.rateLimit({ max: deps.rateLimitPerMinute, timeWindow: 60_000 }),
    preHandler: app.csrfProtection,
  };
  const formPage = { preHandler: sessions.loadUserOrAnonymous };

  app.get('/register', formPage, async (request, reply) => renderForm(reply, 'register', registerPage(nextOf(request.query))));

  app.post('/register', attempt, async (request, reply) => {
    const form = parseRegisterForm(request.body);
    const next = nextOf(request.body);
    if (!form.ok) return renderForm(reply, 'register', { ...registerPage(next), email: form.email, errors: form.errors }, 400);
    const { email, password } = form.value;
    // Only the hash leaves this process; the Back End never sees the password.
    const hash = await deps.hasher.hash(password);
    const limit = { ipLimitPerMinute: deps.rateLimitPerMinute };
    // The session is created in REGISTER's own transaction: one round trip, not two.
    const id = newSessionId();
    const data = { email, hash, tokenHash: tokenHashOf(id), client: clientInfo(request), ...limit };
    const result = await deps.rpc.call({ action: 'REGISTER', data });
    if (result.rateLimited) throw tooManyAttempts();
    if (result.success) {
      // An older Back End (a rolling deploy) ignores tokenHash: it then gets its SESSION_CREATE.
      if (result.session === true) await sessions.adopt(request, reply, email, id);
      else await sessions.start(request, reply, email, 'register', id);
      return reply.redirect(next ?? '/', 303);
    }
    if (result.message === Messages.userExists) {
      return renderForm(reply, 'register', { ...registerPage(next), email, errors: { email: USER_EXISTS } }, 409);
    }
    throw new UnexpectedReplyError('REGISTER', result.message ?? 'success is false');
  });

  app.get('/login', formPage, async (request, reply) => {
    const next = nextOf(request.query);
    return renderForm(reply, 'login', { ...loginPage(next), notice: next ? LOGIN_NEEDED : undefined });
  });

  app.post('/login', attempt, async (request, reply) => {
    const form = parseLoginForm(request.body);
    const next = nextOf(request.body);
    if (!form.ok) return renderForm(reply, 'login', { ...loginPage(next), email: form.email, errors: form.errors }, 400);
    const { email, password } = form.value;
    const client = clientInfo(request);
    // LOGIN_ATTEMPT counts this attempt (per account and per IP, shared by every Front End)
    // before the hash is even sent, so parallel guesses cannot outrun the lock.
    const attempt = await deps.rpc.call({ action: 'LOGIN_ATTEMPT', data: { email, client, ipLimitPerMinute: deps.rateLimitPerMinute } });
    if (attempt.rateLimited) throw tooManyAttempts();
    const account = accountFrom(attempt, request.log);
    // Unknown, locked and wrong all cost one LOGIN_ATTEMPT, one argon2 verify and one LOGIN_FAILED,
    // and all get the same 401: neither timing nor text tells them apart.
    const usable = account.locked ? undefined : account.hash;
    const matches = await deps.hasher.verify(usable ?? deps.dummyHash, password, request.log);
    if (usable === undefined || !matches) {
      await deps.rpc.call({ action: 'LOGIN_FAILED', data: { email, client, counted: true } });
      return renderForm(reply, 'login', { ...loginPage(next), email, formError: INVALID_LOGIN }, 401);
    }
    await sessions.start(request, reply, email, 'login');
    if (needsRehash(usable, deps.argon2)) await upgradeHash(deps, request, email, password);
    return reply.redirect(next ?? '/', 303);
  });
}

/** The account's hash and lock state; no hash when the Back End knows no such user. */
function accountFrom(result: Reply, log: FastifyBaseLogger): Account {
  const locked = typeof result.lockedUntil === 'string' && result.lockedUntil !== '';
  if (!result.success) {
    // The protocol's "not found" is a bare {success:false}; anything else is worth a look.
    if (result.message) log.warn({ backEndMessage: result.message }, 'LOGIN_ATTEMPT refused');
    return { hash: undefined, locked };
  }
  if (typeof result.hash !== 'string' || result.hash === '') {
    throw new UnexpectedReplyError('LOGIN_ATTEMPT', 'success without a hash');
  }
  return { hash: result.hash, locked };
}

/**
 * The password just matched a hash made with other parameters: store one at today's.
 * The user is already logged in, so a failure here is only worth a warning.
 */
async function upgradeHash(deps: AuthDeps, request: FastifyRequest, email: string, password: string): Promise<void> {
  try {
    const hash = await deps.hasher.hash(password);
    const result = await deps.rpc.call({ action: 'UPDATE_HASH', data: { email, hash, client: clientInfo(request) } });
    if (!result.success) request.log.warn({ backEndMessage: result.message }, 'UPDATE_HASH refused; the old hash stays');
  } catch (err) {
    request.log.warn({ err }, 'could not upgrade the password hash; the old one stays');
  }
}
