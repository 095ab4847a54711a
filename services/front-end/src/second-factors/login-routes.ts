import type { FastifyInstance, FastifyReply } from 'fastify';
import { field } from '../pages/forms.js';
import { tooManyAttempts } from '../pages/errors.js';
import { safeNextPath } from '../pages/next-path.js';
import { render, renderForm } from '../pages/render.js';
import { SECOND_FACTOR_PATH } from '../routes/auth.js';
import type { LoginFactors, PendingLogins, SecondFactorProof } from './pending-login.js';
import { recoveryCodeHash, totpCodeOf } from './recovery-codes.js';

export const CODE_FORMAT = 'Enter the 6-digit code from your authenticator app, or one of your recovery codes.';
export const WRONG_CODE = 'That code is not right, or it was used already. Wrong codes count towards the same lock as wrong passwords.';
export const LOGIN_EXPIRED = 'Your login took too long, or was started elsewhere. Log in again with your password.';
export const LOGIN_LOCKED = 'Too many failed attempts in a row: the account is locked for a few minutes. Log in again after that.';
const NEEDS_BACK_END = 'Second factors need the Back End to keep sessions (SESSION_STORE=back-end); this site keeps them in cookies.';

export interface SecondFactorLoginDeps {
  /** Undefined with SESSION_STORE=cookie. */
  pending: PendingLogins | undefined;
  rateLimitPerMinute: number;
}

/** The code page; `factors` says whether to offer the code field, the passkey button or both. */
const codePage = (next: string | undefined, factors?: LoginFactors) => ({ title: 'Enter your code', next, factors });
const backToLogin = (reply: FastifyReply, next: string | undefined, notice: string, status: number) =>
  renderForm(reply, 'login', { title: 'Log in', next, notice }, status);

/**
 * The login's second step. Only a browser holding a live pending login (its password was right
 * a moment ago) gets anywhere; the Back End decides that, so nothing here can start a session.
 */
export function registerSecondFactorLoginRoutes(app: FastifyInstance, deps: SecondFactorLoginDeps): void {
  // The same per-IP budget as the password form: each code is a login attempt.
  const attempt = { onRequest: app.rateLimit({ max: deps.rateLimitPerMinute, timeWindow: 60_000 }), preHandler: app.csrfProtection };

  app.get<{ Querystring: { next?: unknown } }>(SECOND_FACTOR_PATH, async (request, reply) => {
    const next = safeNextPath(request.query.next);
    if (!deps.pending) return unavailable(reply);
    const factors = await deps.pending.factors(request);
    if (!factors) return backToLogin(reply, next, LOGIN_EXPIRED, 401);
    return renderForm(reply, 'second-factor', codePage(next, factors));
  });

  app.post(SECOND_FACTOR_PATH, attempt, async (request, reply) => {
    const next = safeNextPath(field(request.body, 'next'));
    if (!deps.pending) return unavailable(reply);
    if (!deps.pending.has(request)) return backToLogin(reply, next, LOGIN_EXPIRED, 401);
    const proof = proofOf(field(request.body, 'code'));
    // A typo in the format is no attempt: it is not sent, so it is not counted.
    if (!proof) return renderForm(reply, 'second-factor', { ...codePage(next, await deps.pending.factors(request)), errors: { code: CODE_FORMAT } }, 400);
    const outcome = await deps.pending.verify(request, reply, proof);
    if (outcome === 'loggedIn') return reply.redirect(next ?? '/', 303);
    if (outcome === 'rateLimited') throw tooManyAttempts();
    if (outcome === 'wrong') return renderForm(reply, 'second-factor', { ...codePage(next, await deps.pending.factors(request)), errors: { code: WRONG_CODE } }, 401);
    return backToLogin(reply, next, outcome === 'locked' ? LOGIN_LOCKED : LOGIN_EXPIRED, 401);
  });
}

/** Six digits are a TOTP code; anything shaped like a recovery code goes as its hash. */
function proofOf(typed: string): SecondFactorProof | undefined {
  const code = totpCodeOf(typed);
  if (code) return { code };
  const recoveryHash = recoveryCodeHash(typed);
  return recoveryHash ? { recoveryCodeHash: recoveryHash } : undefined;
}

export function unavailable(reply: FastifyReply, message = NEEDS_BACK_END) {
  return render(reply, 'message', { title: 'Not available here', message, links: [{ href: '/', text: 'Back to the home page' }] }, 501);
}
