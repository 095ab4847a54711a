import { hkdfSync } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

declare module '@fastify/secure-session' {
  interface SessionData {
    email: string;
    _csrf: string;
  }
}

// Fixed, public salt and info: HKDF only needs them to separate this key from other
// uses of the same secret; the secret itself must carry the entropy.
const HKDF_SALT = 'gatehouse/front-end/session';
const HKDF_INFO = 'secure-session key v1';

/**
 * Derives the 32-byte session cookie key from SESSION_SECRET. HKDF instead of
 * secure-session's own `secret` option, whose argon2id derivation costs about a
 * second and 256 MiB at every start. Every Front End given the same secret reads the
 * same cookies, so instances can sit behind a load balancer.
 */
export function deriveSessionKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, HKDF_SALT, HKDF_INFO, 32));
}

export function sessionEmail(request: FastifyRequest): string | undefined {
  const email = request.session.get('email');
  return typeof email === 'string' && email !== '' ? email : undefined;
}

/** Starts a fresh session for the user: old data (and the old CSRF secret) is dropped. */
export function logIn(request: FastifyRequest, email: string): void {
  request.session.regenerate();
  request.session.set('email', email);
}

export function logOut(request: FastifyRequest): void {
  request.session.delete();
}
