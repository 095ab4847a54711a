import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';
import { Eta } from 'eta';

export type PageData = Record<string, unknown>;

const VIEWS_DIR = fileURLToPath(new URL('../views', import.meta.url));

/**
 * Eta itself, without @fastify/view (which reconfigured Eta and copied the data at every
 * render): each template is compiled once (`cache`) and each template path resolved once.
 */
function makeViews(): Eta {
  const eta = new Eta({ views: VIEWS_DIR, cache: true });
  const resolvePath = eta.resolvePath;
  const resolved = new Map<string, string>();
  // Eta resolves and checks every name (path.join, path.relative) at each render and include.
  // Names come from our code and templates, never from a request, so the map stays small.
  eta.resolvePath = function (template, options) {
    const key = `${options?.filepath ?? ''}\0${template}`;
    let path = resolved.get(key);
    if (path === undefined) {
      path = resolvePath.call(this, template, options);
      resolved.set(key, path);
    }
    return path;
  };
  return eta;
}

const views = makeViews();

/**
 * Data every page's layout needs: who is logged in (null when nobody, or when the page,
 * like a 404 or a 429, never looked the session up).
 */
function layoutData(reply: FastifyReply): PageData {
  return { user: reply.request.user ?? null };
}

/** Renders a page to a string; a template failure throws. */
function html(reply: FastifyReply, page: string, data: PageData): string {
  return views.render(page, { ...layoutData(reply), ...data });
}

/** Renders a page and sends it; return the result from the route handler. */
export function render(reply: FastifyReply, page: string, data: PageData = {}, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(html(reply, page, data));
}

/** Renders a page to a string, for callers that must handle template failures themselves. */
export async function renderToString(reply: FastifyReply, page: string, data: PageData = {}): Promise<string> {
  return html(reply, page, data);
}

/** Renders a page holding a form; the form's hidden `_csrf` input gets a fresh token. */
export function renderForm(reply: FastifyReply, page: string, data: PageData = {}, status = 200): FastifyReply {
  return render(reply, page, { csrfToken: reply.generateCsrf(), ...data }, status);
}
