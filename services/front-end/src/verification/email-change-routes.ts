import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { field, parseEmailForm } from '../pages/forms.js';
import { render } from '../pages/render.js';
import { linkTokenHash } from '../passwords/password-resets.js';
import { checkPasswordLength } from '../passwords/password-policy.js';
import { confirmPassword } from '../passwords/check-password.js';
import { accountPage, WRONG_CURRENT, type AccountDeps, type AccountErrors } from '../routes/account.js';
import { requireLogin } from '../routes/pages.js';
import type { ChangeRequest, EmailVerification } from './email-verification.js';
import { CHANGE_TAKEN, confirmPage, linkProblem, unavailable } from './pages.js';

export interface EmailChangeDeps extends AccountDeps {
  /** Undefined with SESSION_STORE=cookie: the pages then say what they need. */
  verification: EmailVerification | undefined;
}

/** What the Account page says under the new-address field when no link was sent. */
const REFUSED: Record<Exclude<ChangeRequest, 'queued' | 'ended'>, string> = {
  same: 'That is already the address of your account.',
  taken: 'Another account uses that address. Choose another one.',
  over_budget: 'You asked for several changes in the last hour. Try again later.',
};
const ACCOUNT = { href: '/account', text: 'Go to your account' };

/**
 * POST /account/email (the Account page's form: the new address and the password), and GET and
 * POST /confirm-email-change (the link the new address gets). The password is checked here, as
 * for every change on the Account page: only its hash's check crosses the bus.
 */
export function registerEmailChangeRoutes(app: FastifyInstance, deps: EmailChangeDeps): void {
  const limited = { onRequest: app.rateLimit({ max: deps.rateLimitPerMinute, timeWindow: 60_000 }) };
  const form = { ...limited, preHandler: [app.csrfProtection, deps.sessions.loadUser, requireLogin] };
  const { verification } = deps;

  app.post('/account/email', form, async (request, reply) => {
    if (!verification || !deps.settings) return unavailable(reply);
    const wanted = parseEmailForm({ email: field(request.body, 'new-email') });
    const password = checkPasswordLength(field(request.body, 'email-password'));
    const errors: AccountErrors = {};
    if (!wanted.ok) errors['new-email'] = wanted.error;
    if (!password.ok) errors['email-password'] = password.error;
    if (!wanted.ok || !password.ok) return accountPage(deps, request, reply, errors);
    if (!(await confirmPassword(deps, request, request.user!, password.password))) return accountPage(deps, request, reply, { 'email-password': WRONG_CURRENT });
    const outcome = await verification.requestChange(request, wanted.email);
    if (outcome === 'ended') return reply.redirect('/login?next=%2Faccount', 303);
    if (outcome === 'queued') return reply.redirect('/account?done=email', 303);
    return accountPage(deps, request, reply, { 'new-email': REFUSED[outcome] });
  });

  app.get<{ Querystring: { token?: unknown } }>('/confirm-email-change', async (request, reply) => {
    if (!verification) return unavailable(reply);
    const token = request.query.token;
    return linkTokenHash(token) ? confirmPage(reply, 'change', token as string) : linkProblem(reply, 'unknown', ACCOUNT);
  });

  app.post('/confirm-email-change', { ...limited, preHandler: app.csrfProtection }, async (request, reply) => confirmChange(verification, request, reply));
}

async function confirmChange(verification: EmailVerification | undefined, request: FastifyRequest, reply: FastifyReply) {
  if (!verification) return unavailable(reply);
  const tokenHash = linkTokenHash(field(request.body, 'token'));
  if (!tokenHash) return linkProblem(reply, 'unknown', ACCOUNT);
  const done = await verification.confirmChange(request, tokenHash);
  if (done.state === 'taken') return render(reply, 'message', { title: 'Your address was not changed', message: CHANGE_TAKEN, links: [ACCOUNT] }, 409);
  if (done.state !== 'valid') return linkProblem(reply, done.state, ACCOUNT);
  const message = `Your account now uses ${done.email}. Log in with it from now on; we told your old address.`;
  return render(reply, 'message', { title: 'Your email address was changed', message, links: [ACCOUNT] });
}
