import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CookieSerializeOptions } from '@fastify/cookie';
import { normalizeEmail } from '@gatehouse/protocol';

/**
 * OWASP's device cookies ("Slow Down Online Guessing Attacks with Device Cookies"): a browser
 * that logged in to an account carries `d1.<nonce>.<hmac>`, the HMAC binding a random nonce to
 * the account's normalised email under a key derived from SESSION_SECRET. Its failures count on
 * a budget of its own, so an attacker's failures (untrusted clients) cannot lock it out. Nothing
 * is stored here: any Front End with the same secret recognises the cookie.
 */
const VERSION = 'd1';
/** 16 random bytes: unguessable, so nobody can name a device's budget without its cookie. */
const NONCE_BYTES = 16;
const COOKIE = /^d1\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;
/** A year: the owner's browser stays known between visits far apart. */
export const DEVICE_COOKIE_MAX_AGE_S = 365 * 24 * 3600;

/** A device a valid cookie names: its nonce (kept in the cookie) and what the Back End sees of it. */
export interface TrustedDevice {
  nonce: string;
  /** The hex SHA-256 of the nonce: names the device's budget, and cannot be turned back into a cookie. */
  hash: string;
}

export class DeviceCookies {
  constructor(private readonly key: Buffer) {}

  /** A cookie value for `email`: a fresh nonce unless one is given (a browser already trusted keeps its own). */
  issue(email: string, nonce = randomBytes(NONCE_BYTES).toString('base64url')): string {
    return `${VERSION}.${nonce}.${this.#mac(email, nonce).toString('base64url')}`;
  }

  /** The device `value` names, when this key signed it for `email`; undefined for anything else (malformed, forged, another account's). */
  verify(value: string | undefined, email: string): TrustedDevice | undefined {
    const match = value === undefined ? null : COOKIE.exec(value);
    if (!match) return undefined;
    const [, nonce, mac] = match as unknown as [string, string, string];
    const given = Buffer.from(mac, 'base64url');
    const expected = this.#mac(email, nonce);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return { nonce, hash: createHash('sha256').update(nonce).digest('hex') };
  }

  #mac(email: string, nonce: string): Buffer {
    // Newlines cannot occur in a valid email or a nonce, so the fields cannot run into each other.
    return createHmac('sha256', this.key).update(`${VERSION}\n${normalizeEmail(email)}\n${nonce}`).digest();
  }
}

/** The device cookie of requests and replies: which browser is trusted for which account. */
export class DeviceTrust {
  constructor(
    private readonly cookies: DeviceCookies,
    private readonly name: string,
    private readonly attributes: CookieSerializeOptions,
  ) {}

  /** The request's device, if its cookie is valid for `email`. */
  deviceOf(request: FastifyRequest, email: string): TrustedDevice | undefined {
    return this.cookies.verify(request.cookies[this.name], email);
  }

  /**
   * After a login or registration as `email`: this browser is trusted for it from now on, for
   * another year. One cookie per browser, so logging in to another account moves the trust.
   */
  trust(request: FastifyRequest, reply: FastifyReply, email: string): void {
    const known = this.deviceOf(request, email);
    reply.setCookie(this.name, this.cookies.issue(email, known?.nonce), { ...this.attributes, maxAge: DEVICE_COOKIE_MAX_AGE_S });
  }
}
