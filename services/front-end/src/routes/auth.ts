import type { FastifyInstance } from 'fastify';
import type { AccountGateway } from '../accounts.js';
import { parseLoginForm, parseRegisterForm } from '../forms.js';
import type { Hasher } from '../hasher.js';
import { needsRehash, type Argon2Params } from '../password.js';
import { renderForm } from '../render.js';
import type { SessionStore } from '../session-store.js';

/** The single login failure text: it never says which of the two was wrong, nor "locked". */
export const INVALID_LOGIN = 'invalid email or password';
export const USER_EXISTS = 'user already exists';

export interface AuthDeps {
  /** The account actions of the Back End in use, and the session store that goes with them (session-mode.ts). */
  accounts: AccountGateway;
  sessions: SessionStore;
  /** Parameters for new hashes; a stored hash made with others is upgraded at login. */
  argon2: Argon2Params;
  /** Verified against when the email is unknown or locked, so every failure costs one argon2 run. */
  dummyHash: string;
  /** Runs every argon2 hash and verify: bounded, and capped in what a stored hash may cost. */
  hasher: Hasher;
  /** Attempts per client IP per minute, in this process for both forms (and across all Front Ends where the Back End counts). */
  rateLimitPerMinute: number;
}

/** The 429 page (errors.ts), for an IP over the budget all Front Ends share. */
const tooManyAttempts = () => Object.assign(new Error('Too many login attempts from this IP'), { statusCode: 429 });

export function registerAuthRoutes(app: FastifyInstance, deps: AuthDeps): void {
  const { sessions } = deps;
  // One budget per client IP shared by both forms, counted in this process before the
  // body is even parsed; a refused attempt gets the 429 page from errors.ts.
  const attempt = {
    onRequest: app.rateLimit({ max: deps.rateLimitPerMinute, timeWindow: 60_000 }),
    preHandler: app.csrfProtection,
  };
  const formPage = { preHandler: sessions.loadUserOrAnonymous };

  app.get('/register', formPage, async (_request, reply) => renderForm(reply, 'register', { title: 'Register' }));

  app.post('/register', attempt, async (request, reply) => {
    const form = parseRegisterForm(request.body);
    if (!form.ok) return renderForm(reply, 'register', { title: 'Register', email: form.email, errors: form.errors }, 400);
    const { email, password } = form.value;
    // Only the hash leaves this process; the Back End never sees the password.
    const hash = await deps.hasher.hash(password);
    const outcome = await deps.accounts.register(request, reply, email, hash);
    if (outcome === 'rateLimited') throw tooManyAttempts();
    if (outcome === 'exists') return renderForm(reply, 'register', { title: 'Register', email, formError: USER_EXISTS }, 409);
    return reply.redirect('/', 303);
  });

  app.get('/login', formPage, async (_request, reply) => renderForm(reply, 'login', { title: 'Log in' }));

  app.post('/login', attempt, async (request, reply) => {
    const form = parseLoginForm(request.body);
    if (!form.ok) return renderForm(reply, 'login', { title: 'Log in', email: form.email, errors: form.errors }, 400);
    const { email, password } = form.value;
    const account = await deps.accounts.lookUp(request, email);
    if (account === 'rateLimited') throw tooManyAttempts();
    // Unknown, locked and wrong all cost one look-up, one argon2 verify and one loginFailed,
    // and all get the same 401: neither timing nor text tells them apart.
    const usable = account.locked ? undefined : account.hash;
    const matches = await deps.hasher.verify(usable ?? deps.dummyHash, password, request.log);
    if (usable === undefined || !matches) {
      await deps.accounts.loginFailed(request, email);
      return renderForm(reply, 'login', { title: 'Log in', email, formError: INVALID_LOGIN }, 401);
    }
    await sessions.start(request, reply, email, 'login');
    // A hash made with other parameters: store one at today's (the user is logged in already).
    if (needsRehash(usable, deps.argon2)) await deps.accounts.upgradeHash(request, email, () => deps.hasher.hash(password));
    return reply.redirect('/', 303);
  });
}
