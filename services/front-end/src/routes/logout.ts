import type { FastifyInstance } from 'fastify';
import { renderForm } from '../pages/render.js';
import type { SessionStore } from '../sessions/session-store.js';

/** Logging out is a POST with a CSRF token: a link or an image on another site cannot do it. */
export function registerLogoutRoutes(app: FastifyInstance, sessions: SessionStore): void {
  const form = { preHandler: app.csrfProtection };

  app.get('/logout', { preHandler: sessions.loadUser }, async (_request, reply) =>
    renderForm(reply, 'logout', { title: 'Log out', logOutEverywhere: sessions.canLogOutEverywhere }),
  );

  app.post('/logout', form, async (request, reply) => {
    await sessions.end(request, reply);
    return reply.redirect('/?logged-out=here', 303);
  });

  // Ends the sessions on every device, e.g. after logging in on a shared computer. Only where
  // the store holds every session of a user (not with SESSION_STORE=cookie).
  if (!sessions.canLogOutEverywhere) return;
  app.post('/logout-everywhere', form, async (request, reply) => {
    const revoked = await sessions.endEverywhere(request, reply);
    request.log.info({ revoked }, 'logged out everywhere');
    return reply.redirect('/?logged-out=everywhere', 303);
  });
}
