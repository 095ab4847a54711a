import type { FastifyInstance } from 'fastify';
import { renderForm } from '../render.js';
import type { Sessions } from '../sessions.js';

/** Logging out is a POST with a CSRF token: a link or an image on another site cannot do it. */
export function registerLogoutRoutes(app: FastifyInstance, sessions: Sessions): void {
  const form = { preHandler: app.csrfProtection };

  app.get('/logout', { preHandler: sessions.loadUser }, async (_request, reply) => renderForm(reply, 'logout', { title: 'Log out' }));

  app.post('/logout', form, async (request, reply) => {
    await sessions.end(request, reply);
    return reply.redirect('/?logged-out=here', 303);
  });

  // Ends the sessions on every device, e.g. after logging in on a shared computer.
  app.post('/logout-everywhere', form, async (request, reply) => {
    const revoked = await sessions.endEverywhere(request, reply);
    request.log.info({ revoked }, 'logged out everywhere');
    return reply.redirect('/?logged-out=everywhere', 303);
  });
}
