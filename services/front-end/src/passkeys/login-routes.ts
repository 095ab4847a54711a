import type { FastifyInstance, FastifyReply } from 'fastify';
import { authenticationResponseSchema } from '@gatehouse/protocol';
import { field } from '../pages/forms.js';
import { tooManyAttempts } from '../pages/errors.js';
import { safeNextPath } from '../pages/next-path.js';
import { renderForm } from '../pages/render.js';
import { SECOND_FACTOR_PATH } from '../routes/auth.js';
import { LOGIN_EXPIRED, LOGIN_LOCKED, unavailable } from '../second-factors/login-routes.js';
import type { PendingLogins, VerifyOutcome } from '../second-factors/pending-login.js';
import { resendPage, VERIFY_FIRST } from '../verification/pages.js';
import { credentialOf, MALFORMED_ANSWER, optionsReply, PASSKEY_MESSAGES } from './ceremony.js';
import type { PasskeyLogins } from './passkey-logins.js';

export const PASSKEY_LOGIN_PATH = '/login/passkey';
export const PASSKEY_SECOND_FACTOR_PATH = `${SECOND_FACTOR_PATH}/passkey`;
export const PASSKEY_WRONG = 'That passkey was not accepted. Failed passkeys count towards the same lock as wrong passwords.';

export interface PasskeyLoginDeps {
  /** Undefined with SESSION_STORE=cookie. */
  logins: PasskeyLogins | undefined;
  pending: PendingLogins | undefined;
  rateLimitPerMinute: number;
}

/**
 * A login with a passkey: alone, from the login page (no email typed: the passkey names its
 * account), or as the second factor after the password. The options are fetched by the page's
 * script; its answer is posted as a form, and every outcome is a page, as for a typed code.
 */
export function registerPasskeyLoginRoutes(app: FastifyInstance, deps: PasskeyLoginDeps): void {
  // Each answer is a login attempt: the same per-IP budget as the password form.
  const attempt = { onRequest: app.rateLimit({ max: deps.rateLimitPerMinute, timeWindow: 60_000 }), preHandler: app.csrfProtection };

  app.post(`${PASSKEY_LOGIN_PATH}/options`, attempt, async (request, reply) => {
    if (!deps.logins) return optionsReply(reply, { refused: 'not_configured' });
    return optionsReply(reply, await deps.logins.passwordlessOptions(request, reply));
  });

  app.post(PASSKEY_LOGIN_PATH, attempt, async (request, reply) => {
    const next = safeNextPath(field(request.body, 'next'));
    if (!deps.logins) return unavailable(reply);
    const credential = credentialOf(request.body, authenticationResponseSchema);
    if (!credential) return loginPage(reply, next, MALFORMED_ANSWER, 400);
    const outcome = await deps.logins.passwordless(request, reply, credential);
    // EMAIL_VERIFICATION=required: the same page a right password gets for an unconfirmed address.
    if (typeof outcome === 'object') return resendPage(reply, { intro: VERIFY_FIRST, email: outcome.unverified }, 403);
    return outcomePage(reply, next, outcome, PASSKEY_MESSAGES.expired, (message, status) => loginPage(reply, next, message, status));
  });

  app.post(`${PASSKEY_SECOND_FACTOR_PATH}/options`, attempt, async (request, reply) => {
    if (!deps.logins) return optionsReply(reply, { refused: 'not_configured' });
    return optionsReply(reply, await deps.logins.secondFactorOptions(request));
  });

  app.post(PASSKEY_SECOND_FACTOR_PATH, attempt, async (request, reply) => {
    const next = safeNextPath(field(request.body, 'next'));
    if (!deps.pending) return unavailable(reply);
    if (!deps.pending.has(request)) return loginPage(reply, next, LOGIN_EXPIRED, 401);
    const credential = credentialOf(request.body, authenticationResponseSchema);
    if (!credential) return renderForm(reply, 'second-factor', { title: 'Enter your code', next, factors: await deps.pending.factors(request), formError: MALFORMED_ANSWER }, 400);
    const outcome = await deps.pending.verify(request, reply, { passkey: credential });
    return outcomePage(reply, next, outcome, LOGIN_EXPIRED, async (message, status) =>
      outcome === 'wrong'
        ? renderForm(reply, 'second-factor', { title: 'Enter your code', next, factors: await deps.pending!.factors(request), formError: message }, status)
        : loginPage(reply, next, message, status),
    );
  });
}

/** Where each outcome of a passkey login leads; `refused` renders the page for a failure. */
function outcomePage(reply: FastifyReply, next: string | undefined, outcome: VerifyOutcome, expired: string, refused: (message: string, status: number) => unknown) {
  if (outcome === 'loggedIn') return reply.redirect(next ?? '/', 303);
  if (outcome === 'rateLimited') throw tooManyAttempts();
  if (outcome === 'wrong') return refused(PASSKEY_WRONG, 401);
  if (outcome === 'locked') return refused(LOGIN_LOCKED, 401);
  return refused(expired, 401);
}

const loginPage = (reply: FastifyReply, next: string | undefined, notice: string, status: number) => renderForm(reply, 'login', { title: 'Log in', next, notice, passkeys: true }, status);
