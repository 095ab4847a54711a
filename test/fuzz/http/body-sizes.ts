import fc from 'fast-check';
import { base, CSRF, FORM, formRouteArb, headersFor, TOKEN, type HttpCase } from './case.js';
import { clean, cookieArb } from './cookies.js';
import { formBodyArb } from './form-bodies.js';

/** Bodies over the 16 KiB limit, declared or chunked. */
export const hugeBodyArb = fc
  .record({
    route: formRouteArb,
    size: fc.noBias(fc.integer({ min: 16 * 1024 + 1, max: 200_000 })),
    how: fc.constantFrom<'length' | 'chunked' | 'declared'>('length', 'length', 'chunked', 'declared'),
    type: fc.constantFrom(FORM, FORM, 'application/json'),
    cookie: cookieArb,
  })
  .map(({ route, size, how, type, cookie: anyCookie }) => {
    const cookie = clean(anyCookie);
    const body = type === FORM ? `_csrf=${TOKEN}&email=${'e'.repeat(size)}@example.com&password=x` : `{"_csrf":"${TOKEN}","email":"${'e'.repeat(size)}"}`;
    if (how === 'declared') {
      // Content-Length says 10 MB, the body is short: refused on the header alone.
      return base({
        kind: 'huge-body', method: 'POST', target: route, headers: headersFor(cookie, [['Content-Type', type], ['Content-Length', String(10 * 1024 * 1024)]]),
        body: body.slice(0, 1024), framing: 'none', reuse: false, mayDrop: true, mayHang: true, expect: [413],
      });
    }
    return base({ kind: 'huge-body', method: 'POST', target: route, headers: headersFor(cookie, [['Content-Type', type]]), body, framing: how, reuse: false, mayDrop: true, expect: [413] });
  });

/** Content-Length larger than what is sent: the server must wait or time out, not fail. */
export const truncatedArb = fc.record({ route: formRouteArb, body: formBodyArb, cookie: cookieArb }).map(({ route, body, cookie }) =>
  base({ kind: 'truncated', method: 'POST', target: route, headers: headersFor(cookie, [['Content-Type', FORM]]), body, framing: 'over', reuse: false, mayHang: true }),
);

/** Content-Length smaller than what is sent: the rest is a second, garbage request. */
export const underArb = fc.record({ route: formRouteArb, body: formBodyArb.filter((b) => b.length > 4), cookie: cookieArb }).map(({ route, body, cookie }) =>
  base({ kind: 'smuggled', method: 'POST', target: route, headers: headersFor(cookie, [['Content-Type', FORM]]), body, framing: 'under', reuse: false }),
);

const ONE_MB = 1024 * 1024;

/** A few cases too big to generate often: 1 MB bodies and a 1 MB form field. */
export function specialHttpCases(): HttpCase[] {
  const big = (route: string, type: string, body: string, framing: HttpCase['framing'] = 'length') =>
    base({ kind: 'huge-1MB', method: 'POST', target: route, headers: headersFor(`csrf=${CSRF}`, [['Content-Type', type]]), body, framing, reuse: false, mayDrop: true, expect: [413] });
  return [
    big('/register', FORM, `_csrf=${TOKEN}&email=${'e'.repeat(ONE_MB)}%40example.com&password=x`),
    big('/login', FORM, `_csrf=${TOKEN}&email=a%40b.io&password=${'p'.repeat(ONE_MB)}`),
    big('/login', 'application/json', `{"_csrf":"${TOKEN}","email":"${'e'.repeat(ONE_MB)}"}`),
    big('/logout', FORM, 'x'.repeat(ONE_MB), 'chunked'),
    big('/register', 'text/plain', 'y'.repeat(ONE_MB)),
  ].map((c, i) => (i === 4 ? { ...c, expect: [413, 415] } : c));
}
