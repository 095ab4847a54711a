import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';
import { expect, it } from 'vitest';
import { securityHeaders } from '../src/http/security-headers.js';

/** What helmet's own middleware sets on a response, as @fastify/helmet ran it per request. */
function perRequest(options: HelmetOptions): Record<string, string> {
  const set: Record<string, string> = {};
  const res = { setHeader: (name: string, value: string) => (set[name.toLowerCase()] = value), removeHeader: () => {} };
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, () => {});
  return set;
}

const options: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'self'"], frameAncestors: ["'none'"] } },
  frameguard: { action: 'deny' },
  strictTransportSecurity: false,
};

it('precomputes the headers helmet would set at each request', () => {
  const headers = securityHeaders(options);
  expect(headers).toEqual(perRequest(options));
  expect(headers).toMatchObject({ 'content-security-policy': "default-src 'self';frame-ancestors 'none'", 'x-frame-options': 'DENY' });
  expect(headers).not.toHaveProperty('strict-transport-security');
});

it('includes HSTS when asked', () => {
  const withHsts = { ...options, strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true } };
  expect(securityHeaders(withHsts)['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
});

it('refuses options helmet refuses, at start-up', () => {
  expect(() => securityHeaders({ contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["self"] } } })).toThrow();
});
