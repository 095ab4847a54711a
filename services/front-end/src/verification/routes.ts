import type { FastifyInstance } from 'fastify';
import { field, parseEmailForm } from '../pages/forms.js';
import { tooManyAttempts } from '../pages/errors.js';
import { render } from '../pages/render.js';
import { linkTokenHash } from '../passwords/password-resets.js';
import { answerNoSoonerThan } from '../http/uniform-timing.js';
import type { SessionStore } from '../sessions/session-store.js';
import { newSessionId, tokenHashOf, type BackEndSessionStore } from '../sessions/sessions.js';
import type { EmailVerification } from './email-verification.js';
import { confirmPage, linkProblem, resendPage, unavailable, VERIFY_SENT } from './pages.js';

export interface VerificationDeps {
  /** Undefined with SESSION_STORE=cookie: the pages then say what they need. */
  verification: EmailVerification | undefined;
  backEndSessions: BackEndSessionStore | undefined;
  sessions: SessionStore;
  rateLimitPerMinute: number;
  /** How long after the request "send it again" answers, whatever the address (http/uniform-timing.ts). */
  uniformAnswerMs: number;
}

const RESEND = { href: '/verify-email/resend', text: 'Send a new link' };
const RESEND_INTRO = 'Enter the email address of your account. If it still needs confirming, we will send it a new link.';

/**
 * GET and POST /verify-email (the link in the mail), and GET and POST /verify-email/resend
 * ("send it again": from the notice on logged-in pages, or the page a refused login shows).
 * These work in every EMAIL_VERIFICATION mode, so a link sent before a switch to `off` still works.
 */
export function registerVerificationRoutes(app: FastifyInstance, deps: VerificationDeps): void {
  const limited = { onRequest: app.rateLimit({ max: deps.rateLimitPerMinute, timeWindow: 60_000 }) };
  const { verification, backEndSessions } = deps;

  app.get<{ Querystring: { token?: unknown } }>('/verify-email', async (request, reply) => {
    if (!verification) return unavailable(reply);
    const token = request.query.token;
    return linkTokenHash(token) ? confirmPage(reply, 'verify', token as string) : linkProblem(reply, 'unknown', RESEND);
  });

  app.post('/verify-email', { ...limited, preHandler: app.csrfProtection }, async (request, reply) => {
    if (!verification || !backEndSessions) return unavailable(reply);
    const tokenHash = linkTokenHash(field(request.body, 'token'));
    if (!tokenHash) return linkProblem(reply, 'unknown', RESEND);
    const id = newSessionId();
    const done = await verification.verify(request, tokenHash, tokenHashOf(id));
    if (done.state !== 'valid') return linkProblem(reply, done.state, RESEND);
    if (done.secondFactor) return reply.redirect('/login?verified=1', 303);
    // A new session for whoever holds the link, as a reset link does: it proves the mailbox.
    await backEndSessions.adopt(request, reply, done.email, id);
    return reply.redirect('/?verified=1', 303);
  });

  app.get('/verify-email/resend', { preHandler: deps.sessions.loadUserOrAnonymous }, async (_request, reply) =>
    verification ? resendPage(reply, { intro: RESEND_INTRO }) : unavailable(reply),
  );

  app.post('/verify-email/resend', { ...limited, preHandler: [app.csrfProtection, deps.sessions.loadUserOrAnonymous] }, async (request, reply) => {
    if (!verification) return unavailable(reply);
    // A logged-in user's own account needs no address typed (the notice's button sends none).
    let email: string | undefined;
    if (!request.user) {
      const form = parseEmailForm(request.body);
      if (!form.ok) return resendPage(reply, { intro: RESEND_INTRO, email: form.email, error: form.error }, 400);
      email = form.email;
    }
    if ((await verification.resend(request, email)) === 'rateLimited') throw tooManyAttempts();
    // As "forgot password": an account that gets a mail costs more than one that does not.
    await answerNoSoonerThan(reply, deps.uniformAnswerMs);
    return render(reply, 'message', { title: 'Check your email', message: VERIFY_SENT, links: [{ href: request.user ? '/' : '/login', text: request.user ? 'Back to the home page' : 'Back to log in' }] });
  });
}
