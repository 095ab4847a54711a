import type { FastifyReply } from 'fastify';

export type PageData = Record<string, unknown>;

/**
 * Data every page's layout needs: who is logged in (null when nobody, or when the page,
 * like a 404 or a 429, never looked the session up).
 */
function layoutData(reply: FastifyReply): PageData {
  return { user: reply.request.user ?? null };
}

/** Renders a page and sends it; return the result from the route handler. */
export function render(reply: FastifyReply, page: string, data: PageData = {}, status = 200): FastifyReply {
  return reply.code(status).view(page, { ...layoutData(reply), ...data });
}

/** Renders a page to a string, for callers that must handle template failures themselves. */
export function renderToString(reply: FastifyReply, page: string, data: PageData = {}): Promise<string> {
  return reply.viewAsync(page, { ...layoutData(reply), ...data });
}

/** Renders a page holding a form; the form's hidden `_csrf` input gets a fresh token. */
export function renderForm(reply: FastifyReply, page: string, data: PageData = {}, status = 200): FastifyReply {
  return render(reply, page, { csrfToken: reply.generateCsrf(), ...data }, status);
}
