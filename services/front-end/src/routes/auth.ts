import type { FastifyInstance, FastifyRequest } from 'fastify';
import { refundOnThrow, type AccountGateway } from '../accounts/accounts.js';
import { checkPassword } from '../passwords/check-password.js';
import { parseLoginForm, parseRegisterForm } from '../pages/forms.js';
import type { Hasher } from '../passwords/hasher.js';
import type { HashTicket } from '../passwords/hash-limiter.js';
import { needsRehash, type Argon2Params } from '../passwords/password.js';
import { PASSWORD_HINT, PASSWORD_RULES } from '../passwords/password-policy.js';
import { safeNextPath } from '../pages/next-path.js';
import { tooManyAttempts } from '../pages/errors.js';
import { render, renderForm } from '../pages/render.js';
import type { SessionStore } from '../sessions/session-store.js';
import { CHECK_YOUR_EMAIL, resendPage, VERIFY_FIRST } from '../verification/pages.js';

/**
 * The single login failure text: it never says which of the two was wrong, nor whether the
 * account is locked (the login page mentions lockouts after every failure alike).
 */
export const INVALID_LOGIN = 'Invalid email or password.';
export const USER_EXISTS = 'An account with this email address already exists.';
/** Shown on the login page reached from a page that needs a login (`?next=`). */
export const LOGIN_NEEDED = 'Log in to see that page.';
/** After a password reset of an account with a second factor: the reset logs nobody in. */
export const RESET_THEN_LOG_IN = 'Your password was changed. Log in with it and your second factor.';
/** Where a login whose password was right asks for the second factor (second-factors/login-routes.ts). */
export const SECOND_FACTOR_PATH = '/login/second-factor';

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
  /** EMAIL_VERIFICATION=required: whether the account's address is confirmed, asked once its password was found right. */
  addressConfirmed?: (request: FastifyRequest, email: string) => Promise<boolean>;
  /**
   * Whether the login page offers "Sign in with a passkey" (passkeys/passkey-logins.ts): asked when
   * the page is opened, remembered when a failed form is shown again. Unset: never.
   */
  passkeysOffered?: { ask(request: FastifyRequest): Promise<boolean>; known(): boolean };
}


/** The page to return to after the form, from the query or the form's hidden field; only local paths. */
function nextOf(source: unknown): string | undefined {
  return typeof source === 'object' && source !== null ? safeNextPath((source as Record<string, unknown>).next) : undefined;
}

const registerPage = (next: string | undefined) => ({ title: 'Create an account', next, rules: PASSWORD_RULES, policy: PASSWORD_HINT, scripts: ['password-hint.js'] });
const loginPage = (deps: AuthDeps, next: string | undefined) => ({ title: 'Log in', next, passkeys: deps.passkeysOffered?.known() === true });

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
    const hash = await deps.hasher.hash(password, request.deadlineAt);
    const outcome = await deps.accounts.register(request, reply, email, hash);
    if (outcome === 'rateLimited') throw tooManyAttempts();
    if (outcome === 'exists') return renderForm(reply, 'register', { ...registerPage(next), email, errors: { email: USER_EXISTS } }, 409);
    if (outcome === 'verifyFirst') return render(reply, 'message', { title: 'Check your email', message: CHECK_YOUR_EMAIL });
    return reply.redirect(next ?? '/', 303);
  });

  app.get('/login', formPage, async (request, reply) => {
    const next = nextOf(request.query);
    const reset = (request.query as Record<string, unknown>)['password-reset'] === '1';
    return renderForm(reply, 'login', { ...loginPage(deps, next), passkeys: (await deps.passkeysOffered?.ask(request)) === true, notice: reset ? RESET_THEN_LOG_IN : next ? LOGIN_NEEDED : undefined });
  });

  app.post('/login', attempt, async (request, reply) => {
    const form = parseLoginForm(request.body);
    const next = nextOf(request.body);
    if (!form.ok) return renderForm(reply, 'login', { ...loginPage(deps, next), email: form.email, errors: form.errors }, 400);
    const { email, password } = form.value;
    // The verify's place is taken before the Back End counts the attempt: a login this Front
    // End cannot hash in time gets the 503 page uncounted, not a failed attempt towards the lock.
    const ticket = deps.hasher.reserve(request.deadlineAt);
    const usable = await checkPassword(deps, request, email, password, ticket).finally(() => ticket.release());
    if (usable === 'rateLimited') throw tooManyAttempts();
    if (usable === undefined) {
      await deps.accounts.loginFailed(request, email);
      return renderForm(reply, 'login', { ...loginPage(deps, next), email, formError: INVALID_LOGIN }, 401);
    }
    if (deps.addressConfirmed && !(await refundOnThrow(deps.accounts, request, email, () => deps.addressConfirmed!(request, email)))) {
      // The password was right, so this attempt is no failure: given back, like a shed one.
      deps.accounts.loginAbandoned(request, email);
      return resendPage(reply, { intro: VERIFY_FIRST, email }, 403);
    }
    // A session that cannot start leaves a right password without a verdict: refunded too.
    const outcome = await refundOnThrow(deps.accounts, request, email, () => deps.accounts.logIn(request, reply, email));
    // A hash made with other parameters: store one at today's (the password is proven right).
    if (needsRehash(usable, deps.argon2)) await deps.accounts.upgradeHash(request, email, () => deps.hasher.hash(password));
    if (outcome === 'secondFactor') return reply.redirect(`${SECOND_FACTOR_PATH}${next ? `?next=${encodeURIComponent(next)}` : ''}`, 303);
    return reply.redirect(next ?? '/', 303);
  });
}
