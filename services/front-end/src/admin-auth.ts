import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** How long the admin cookie set by the /status form is honoured. */
export const ADMIN_COOKIE_MAX_AGE_S = 8 * 3600;

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * True when `given` is the admin token. Both sides are hashed first, so the comparison takes
 * the same time whatever the length or content of the guess.
 */
export function tokenMatches(given: string | undefined, token: string): boolean {
  return timingSafeEqual(digest(given ?? ''), digest(token)) && given !== undefined;
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * The admin cookie's value: when it was issued and an HMAC of that time keyed by the token. It
 * never carries the token, is worthless once the token changes, and any Front End given the
 * same token accepts it.
 */
export function adminCookieValue(token: string, issuedAtMs: number): string {
  return `${issuedAtMs}.${createHmac('sha256', token).update(`gatehouse admin cookie v1 ${issuedAtMs}`).digest('base64url')}`;
}

/** True for a cookie made by adminCookieValue with this token, and not older than its max age. */
export function adminCookieValid(value: string | undefined, token: string, nowMs: number): boolean {
  const issued = Number(/^(\d{1,15})\./.exec(value ?? '')?.[1]);
  if (!Number.isSafeInteger(issued) || nowMs - issued > ADMIN_COOKIE_MAX_AGE_S * 1000 || issued > nowMs + 60_000) return false;
  const expected = digest(adminCookieValue(token, issued));
  return timingSafeEqual(digest(value!), expected);
}

/** Who may see operator pages: the Bearer token, or (when `cookieName` is given) the admin cookie. */
export function isAdmin(request: FastifyRequest, token: string, cookieName?: string): boolean {
  if (tokenMatches(bearerToken(request.headers.authorization), token)) return true;
  return cookieName !== undefined && adminCookieValid(request.cookies[cookieName], token, Date.now());
}

/** The 401 for operator endpoints, naming the scheme a client should use. */
export function refuseAdmin(reply: FastifyReply): FastifyReply {
  return reply.code(401).header('www-authenticate', 'Bearer realm="gatehouse-admin"').type('text/plain; charset=utf-8').send('An admin token is required.\n');
}
