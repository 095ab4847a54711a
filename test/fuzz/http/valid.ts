import fc from 'fast-check';
import { base, CSRF, FORM, headersFor, routeArb, SESSION, TOKEN } from './case.js';

/** Requests a browser would send, as a baseline among the bad ones. */
export const validArb = fc.oneof(
  fc.record({ route: routeArb, cookie: fc.constantFrom(undefined, `session=${SESSION}`, `csrf=${CSRF}`) }).map(({ route, cookie }) =>
    base({ kind: 'valid', target: route, headers: headersFor(cookie, [['Accept', 'text/html'], ['User-Agent', 'Mozilla/5.0 (fuzz)']]) }),
  ),
  fc.nat({ max: 1000 }).map((n) =>
    base({
      kind: 'valid', method: 'POST', target: '/login', headers: headersFor(`csrf=${CSRF}`, [['Content-Type', FORM]]),
      body: `email=fuzz${n}%40example.com&password=wrong-password-${n}&_csrf=${TOKEN}`, framing: 'length',
    }),
  ),
);
