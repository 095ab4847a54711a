import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Hasher } from '../passwords/hasher.js';
import { checkNewPassword, checkPasswordLength, PASSWORD_HINT, PASSWORD_RULES } from '../passwords/password-policy.js';
import { linkTokenHash, type LinkState, type PasswordResets } from '../passwords/password-resets.js';
import { answerNoSoonerThan } from '../http/uniform-timing.js';
import { field, parseEmailForm } from '../pages/forms.js';
import { needsSessionStore, tooManyAttempts } from '../pages/errors.js';
import { render, renderForm } from '../pages/render.js';
import { newSessionId, tokenHashOf, type BackEndSessionStore } from '../sessions/sessions.js';

export interface PasswordResetDeps {
  /** Undefined with SESSION_STORE=cookie: the pages then say what they need. */
  resets: PasswordResets | undefined;
  sessions: BackEndSessionStore | undefined;
  hasher: Hasher;
  rateLimitPerMinute: number;
  /** How long after the request "forgot password" answers, whatever the address (http/uniform-timing.ts). */
  uniformAnswerMs: number;
}

/** The one answer to "forgot password", whether or not the address has an account. */
export const RESET_SENT = "If an account exists for that address, we've sent it a link to choose a new password. The link works for 30 minutes, once.";
const LINK_PROBLEMS: Record<Exclude<LinkState['state'], 'valid'>, { status: number; text: string }> = {
  used: { status: 410, text: 'This link was used already: each link works once.' },
  expired: { status: 410, text: 'This link has expired: links work for 30 minutes.' },
  unknown: { status: 404, text: 'This link is not valid. Check that you opened the whole link from the mail.' },
};

const forgotPage = { title: 'Forgot your password?' };

const resetPage = (token: string, email: string) => ({ title: 'Choose a new password', token, email, rules: PASSWORD_RULES, policy: PASSWORD_HINT, scripts: ['password-hint.js'] });

/** GET and POST /forgot-password, GET and POST /reset-password (the link in the mail). */
export function registerPasswordResetRoutes(app: FastifyInstance, deps: PasswordResetDeps): void {
  const attempt = { onRequest: app.rateLimit({ max: deps.rateLimitPerMinute, timeWindow: 60_000 }), preHandler: app.csrfProtection };
  const { resets, sessions } = deps;

  app.get('/forgot-password', async (_request, reply) => (resets ? renderForm(reply, 'forgot-password', forgotPage) : unavailable(reply)));

  app.post('/forgot-password', attempt, async (request, reply) => {
    if (!resets) return unavailable(reply);
    const form = parseEmailForm(request.body);
    if (!form.ok) return renderForm(reply, 'forgot-password', { ...forgotPage, email: form.email, errors: { email: form.error } }, 400);
    const outcome = await resets.request(request, form.email);
    if (outcome === 'rateLimited') throw tooManyAttempts();
    await answerNoSoonerThan(reply, deps.uniformAnswerMs);
    return render(reply, 'message', { title: 'Check your email', message: RESET_SENT, links: [{ href: '/login', text: 'Back to log in' }] });
  });

  app.get<{ Querystring: { token?: unknown } }>('/reset-password', async (request, reply) => {
    if (!resets) return unavailable(reply);
    const tokenHash = linkTokenHash(request.query.token);
    const link = tokenHash ? await resets.check(request, tokenHash) : ({ state: 'unknown' } as const);
    if (link.state !== 'valid') return linkProblem(reply, link.state);
    return renderForm(reply, 'reset-password', resetPage(request.query.token as string, link.email));
  });

  app.post('/reset-password', attempt, async (request, reply) => {
    if (!resets || !sessions) return unavailable(reply);
    const token = field(request.body, 'token');
    const tokenHash = linkTokenHash(token);
    if (!tokenHash) return linkProblem(reply, 'unknown');
    const link = await resets.check(request, tokenHash);
    if (link.state !== 'valid') return linkProblem(reply, link.state);
    const length = checkPasswordLength(field(request.body, 'password'));
    const problem = length.ok ? checkNewPassword(length.password, link.email) : length.error;
    if (problem || !length.ok) return renderForm(reply, 'reset-password', { ...resetPage(token, link.email), errors: { password: problem } }, 400);
    // Only the hash leaves this process, as at registration.
    const hash = await deps.hasher.hash(length.password, request.deadlineAt);
    const id = newSessionId();
    const done = await resets.complete(request, tokenHash, hash, tokenHashOf(id));
    // Two clicks at once: the other one won; this one gets the "used" page, not a second change.
    if (done.state !== 'valid') return linkProblem(reply, done.state);
    if (done.secondFactor) return reply.redirect('/login?password-reset=1', 303);
    await sessions.adopt(request, reply, done.email, id);
    return reply.redirect('/?password-reset=1', 303);
  });
}

function linkProblem(reply: FastifyReply, state: Exclude<LinkState['state'], 'valid'>) {
  const { status, text } = LINK_PROBLEMS[state];
  return render(reply, 'message', { title: 'This link does not work', message: text, links: [{ href: '/forgot-password', text: 'Send a new link' }] }, status);
}


const unavailable = (reply: FastifyReply) => needsSessionStore(reply, 'Password reset', { href: '/login', text: 'Back to log in' });
