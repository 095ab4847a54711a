import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { render } from '../render.js';
import { sessionEmail } from '../session.js';

const stylesheet = readFileSync(new URL('../../public/style.css', import.meta.url));

export function registerPageRoutes(app: FastifyInstance): void {
  app.get('/', async (_request, reply) => render(reply, 'index', { title: 'Home' }));

  app.get('/secret', { preHandler: requireLogin }, async (request, reply) =>
    render(reply, 'secret', { title: 'Secret', email: sessionEmail(request) }),
  );

  // Served from memory: one small file does not justify a static-files plugin.
  app.get('/style.css', { logLevel: 'warn' }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(stylesheet),
  );
}

/** The textbook's @login_required: no session email, no page. */
export async function requireLogin(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (!sessionEmail(request)) return reply.redirect('/login', 303);
}
