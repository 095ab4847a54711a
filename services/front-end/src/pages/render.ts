import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';
import { Eta } from 'eta';
import { assetUrl } from './assets.js';

export type PageData = Record<string, unknown>;

const VIEWS_DIR = fileURLToPath(new URL('../../views', import.meta.url));

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

/** One line of the error summary: the message, and the field it links to. */
export interface SummaryItem {
  href: string;
  text: string;
}

/** Form fields in page order: the summary lists them, and focus goes to the first, in this order. */
const FIELDS = ['email', 'password', 'code', 'enrol-password', 'totp-code', 'current-password', 'new-password', 'new-email', 'email-password', 'disable-password', 'disable-code', 'passkey-name', 'passkey-password', 'delete-password'] as const;

/**
 * The error summary (GOV.UK's pattern) from a form page's `errors` (per field) and
 * `formError` (the whole form, linked to its first field), in page order.
 */
export function errorSummary(data: PageData): SummaryItem[] {
  const errors = (data.errors ?? {}) as Partial<Record<string, string>>;
  const items = FIELDS.filter((field) => errors[field]).map((field) => ({ href: `#${field}`, text: errors[field]! }));
  if (typeof data.formError === 'string') items.push({ href: `#${FIELDS[0]}`, text: data.formError });
  return items;
}

/**
 * Data every page's layout needs: who is logged in (null when nobody, or when the page,
 * like a 404 or a 429, never looked the session up), the asset URLs, and after a failed
 * submit the error summary, an "Error:" title and which field takes the focus.
 */
function layoutData(reply: FastifyReply, data: PageData): PageData {
  const summary = errorSummary(data);
  const errors = (data.errors ?? {}) as Partial<Record<string, string>>;
  const title = typeof data.title === 'string' ? data.title : undefined;
  return {
    user: reply.request.user ?? null,
    verifyNotice: verifyNotice(reply),
    asset: assetUrl,
    summary,
    focus: FIELDS.find((field) => errors[field]) ?? (summary.length > 0 ? 'summary' : undefined),
    pageTitle: `${summary.length > 0 ? 'Error: ' : ''}${title ? `${title} · ` : ''}Gatehouse`,
  };
}

const tokens = new WeakMap<FastifyReply, string>();

/**
 * One CSRF token per response: a page with two forms (the notice's and its own) must not make
 * two secrets when the browser has none yet, as the second cookie would void the first token.
 */
function csrfToken(reply: FastifyReply): string {
  let token = tokens.get(reply);
  if (token === undefined) {
    token = reply.generateCsrf();
    tokens.set(reply, token);
  }
  return token;
}

/** The "confirm your address" notice's data (its form's CSRF token), for a logged-in user who has not. */
function verifyNotice(reply: FastifyReply): { csrfToken: string } | undefined {
  const { request } = reply;
  if (!request.user || !request.emailUnverified) return undefined;
  return { csrfToken: csrfToken(reply) };
}

/** Renders a page to a string; a template failure throws. */
function html(reply: FastifyReply, page: string, data: PageData): string {
  return views.render(page, { ...data, ...layoutData(reply, data) });
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
  return render(reply, page, { csrfToken: csrfToken(reply), ...data }, status);
}
