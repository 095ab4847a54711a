import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Which proxies may set X-Forwarded-For: none (false), the nearest N hops, or the listed
 * addresses and CIDRs. Never "all": then request.ip is whatever a client writes first in
 * the header, and per-IP limits and the audit log believe it.
 */
export type TrustProxy = false | number | string[];

/** proxy-addr's (and so Fastify's) names for well-known ranges. */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const BOOLEAN_WORDS = new Set(['true', 'false', 'yes', 'no', 'on', 'off']);
const MAX_HOPS = 16;
const USAGE = `a hop count (0-${MAX_HOPS}, e.g. 1 for one proxy in front) or a comma-separated list of proxy addresses or CIDRs`;

/** An address, an address/prefix, or one of proxy-addr's range names. */
function isProxyAddress(entry: string): boolean {
  if (RANGE_NAMES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function parse(raw: string, ctx: z.RefinementCtx): TrustProxy {
  const value = raw.trim().toLowerCase();
  if (BOOLEAN_WORDS.has(value)) {
    ctx.addIssue({ code: 'custom', message: `must be ${USAGE}, not true or false: "true" would let any client forge its IP` });
    return z.NEVER;
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops <= MAX_HOPS) return hops === 0 ? false : hops;
    ctx.addIssue({ code: 'custom', message: `must be ${USAGE}` });
    return z.NEVER;
  }
  const entries = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (entries.length > 0 && entries.every(isProxyAddress)) return entries;
  ctx.addIssue({ code: 'custom', message: `must be ${USAGE}` });
  return z.NEVER;
}

/** The TRUST_PROXY variable: unset or 0 trusts no proxy. */
export const trustProxySetting = () => z.string().transform(parse).default(false);

/**
 * Fastify's trustProxy for a setting. Fastify 5.12 ignores a bare number (it cannot check
 * the peer), so a hop count becomes the function proxy-addr used to build: it is right only
 * when every connection comes through those proxies (see docs/security.md).
 */
export function fastifyTrustProxy(setting: TrustProxy): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof setting !== 'number') return setting;
  return (_address, hop) => hop < setting;
}
