import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { render, renderForm } from '../render.js';
import type { SessionStore } from '../session-store.js';

const stylesheet = readFileSync(new URL('../../public/style.css', import.meta.url));

export function registerPageRoutes(app: FastifyInstance, sessions: SessionStore): void {
  const page = { preHandler: sessions.loadUser };

  app.get('/', page, async (_request, reply) => render(reply, 'index', { title: 'Home' }));

  // The secret page also carries the "log out everywhere" form, hence its CSRF token.
  app.get('/secret', { preHandler: [sessions.loadUser, requireLogin] }, async (request, reply) =>
    renderForm(reply, 'secret', { title: 'Secret', email: request.user, logOutEverywhere: sessions.canLogOutEverywhere }),
  );

  // Served from memory: one small file does not justify a static-files plugin. No session
  // lookup here, nor on the health checks: they must not cost the Back End anything.
  app.get('/style.css', { logLevel: 'warn' }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(stylesheet),
  );
}

/** The textbook's @login_required: no session, no page. Runs after `loadUser`. */
export async function requireLogin(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (!request.user) return reply.redirect('/login', 303);
}
