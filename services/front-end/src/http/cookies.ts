import { hkdfSync } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import cookie, { type CookieSerializeOptions } from '@fastify/cookie';
import csrfProtection from '@fastify/csrf-protection';

// Fixed, public salt and info: HKDF only needs them to separate each key from other
// uses of the same secret; the secret itself must carry the entropy.
const HKDF_SALT = 'gatehouse/front-end/cookies';

function deriveKey(secret: string, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, HKDF_SALT, info, 32));
}

/**
 * Derives the 32-byte cookie-signing key from SESSION_SECRET. Every Front End given the
 * same secret accepts the others' CSRF cookies, so replicas can sit behind a load balancer.
 */
export function deriveCookieSecret(secret: string): Buffer {
  return deriveKey(secret, 'cookie signing key v1');
}

/** The 32-byte key that encrypts and authenticates session cookies (SESSION_STORE=cookie), apart from the signing key. */
export function deriveSessionCookieKey(secret: string): Buffer {
  return deriveKey(secret, 'session cookie encryption key v1');
}

/** The 32-byte key that signs device cookies (device-cookies.ts), apart from every other key. */
export function deriveDeviceCookieKey(secret: string): Buffer {
  return deriveKey(secret, 'device cookie signing key v1');
}

export interface CookieSettings {
  session: string;
  csrf: string;
  /** The device cookie: this browser logged in to an account before (device-cookies.ts). */
  device: string;
  /** A login between its password and its second factor (second-factors/pending-login.ts). */
  pendingLogin: string;
  /** A passwordless login between its options and its answer (passkeys/passkey-logins.ts). */
  passkeyLogin: string;
  /** Attributes shared by all cookies; a cookie is only cleared with the same ones. */
  attributes: CookieSerializeOptions;
}

/**
 * Over TLS, cookies are Secure and `__Host-` prefixed: the browser then refuses them from
 * plain HTTP or a sibling subdomain, and pins them to this host with Path=/.
 */
export function cookieSettings(secure: boolean): CookieSettings {
  const prefix = secure ? '__Host-' : '';
  return {
    session: `${prefix}session`,
    csrf: `${prefix}csrf`,
    device: `${prefix}device`,
    pendingLogin: `${prefix}login-pending`,
    passkeyLogin: `${prefix}passkey-login`,
    attributes: { path: '/', httpOnly: true, sameSite: 'lax', secure },
  };
}

/**
 * @fastify/cookie, then @fastify/csrf-protection keeping its secret in a signed cookie.
 * The token in each form must match that secret, which a cross-site page can neither
 * read nor (with `__Host-`) plant; routes add `app.csrfProtection` as a preHandler.
 */
export async function registerCookies(app: FastifyInstance, settings: CookieSettings, sessionSecret: string): Promise<void> {
  await app.register(cookie, { secret: deriveCookieSecret(sessionSecret) });
  await app.register(csrfProtection, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: settings.csrf,
    cookieOpts: { ...settings.attributes, signed: true },
  });
}
