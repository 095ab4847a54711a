import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { registerAssetRoutes } from '../pages/assets.js';
import { render, renderForm } from '../pages/render.js';
import type { SessionStore } from '../sessions/session-store.js';

/** What the home page says after `/?logged-out=…`, where the logout forms send the browser. */
export const LOGGED_OUT: Readonly<Record<string, string>> = {
  here: 'You have logged out.',
  everywhere: 'You have logged out on every device.',
};
export const ACCOUNT_DELETED = 'Your account was deleted.';

/** What the home page says after a confirmed address (`/?verified=1`): the link logged the user in. */
export const EMAIL_VERIFIED = 'Your email address is confirmed, and you are logged in.';

/** What the home page says after a password reset (`/?password-reset=1`). */
export const PASSWORD_RESET_DONE = 'Your password was changed and you are logged in. Every other session of your account was ended.';

export function registerPageRoutes(app: FastifyInstance, sessions: SessionStore): void {
  const page = { preHandler: sessions.loadUser };

  app.get<{ Querystring: { 'logged-out'?: unknown; 'password-reset'?: unknown; 'account-deleted'?: unknown; verified?: unknown } }>('/', page, async (request, reply) => {
    const kind = request.query['logged-out'];
    const loggedOut = request.query['account-deleted'] === '1' ? ACCOUNT_DELETED : typeof kind === 'string' && Object.hasOwn(LOGGED_OUT, kind) ? LOGGED_OUT[kind] : undefined;
    const notice = request.user ? loggedInNotice(request.query) : loggedOut;
    return render(reply, 'index', { title: 'Home', notice });
  });

  // The secret page also carries the "log out everywhere" form, hence its CSRF token.
  app.get('/secret', { preHandler: [sessions.loadUser, requireLogin] }, async (request, reply) =>
    renderForm(reply, 'secret', { title: 'Secret', email: request.user, logOutEverywhere: sessions.canLogOutEverywhere }),
  );

  registerAssetRoutes(app);
}

/** What the home page tells a logged-in user after a reset (`?password-reset=1`) or a confirmed address (`?verified=1`). */
function loggedInNotice(query: { 'password-reset'?: unknown; verified?: unknown }): string | undefined {
  if (query['password-reset'] === '1') return PASSWORD_RESET_DONE;
  return query.verified === '1' ? EMAIL_VERIFIED : undefined;
}

/**
 * The textbook's @login_required: no session, no page. Runs after `loadUser`. The login
 * page gets this page's path as `next` and comes back here afterwards (see next-path.ts).
 */
export async function requireLogin(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (!request.user) return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
}
