import fc from 'fast-check';
import { base, bin, CSRF, headersFor, routeArb, SESSION } from './case.js';

const sessionIdArb = fc.stringMatching(/^[A-Za-z0-9_-]{43}$/);

/** Cookie headers: none, real, forged, garbage, huge, many. */
export const cookieArb: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 5, arbitrary: fc.constant(`csrf=${CSRF}`) },
  { weight: 3, arbitrary: fc.constant(`session=${SESSION}; csrf=${CSRF}`) },
  { weight: 2, arbitrary: fc.constant(`session=${SESSION}`) },
  { weight: 3, arbitrary: sessionIdArb.map((id) => `session=${id}; csrf=${CSRF}`) },
  { weight: 2, arbitrary: sessionIdArb.map((id) => `session=${id}`) },
  { weight: 1, arbitrary: fc.constant(`__Host-session=${SESSION}; __Host-csrf=${CSRF}`) },
  { weight: 1, arbitrary: sessionIdArb.map((id) => `__Host-session=${id}`) },
  { weight: 1, arbitrary: fc.constant(`session=${'A'.repeat(10_000)}`) },
  { weight: 1, arbitrary: fc.constant(`session=${'A'.repeat(10_000)}; csrf=${CSRF}`) },
  { weight: 2, arbitrary: fc.base64String({ maxLength: 300 }).map((s) => `session=${s}`) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((s) => bin(s).replace(/[\r\n]/g, '')) },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 400 }).map((n) => Array.from({ length: n }, (_, i) => `c${i}=v${i}`).join('; ')) },
  { weight: 2, arbitrary: fc.tuple(fc.base64String({ maxLength: 60 }), fc.base64String({ maxLength: 60 })).map(([a, b]) => `csrf=${a}.${b}`) },
  { weight: 1, arbitrary: fc.constant(`csrf=${CSRF}x`) },
  { weight: 1, arbitrary: fc.constant(`csrf=x${CSRF}`) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'session=%zz; csrf=%',
      `session="${SESSION}"; csrf="${CSRF}"`,
      `session=a; session=${SESSION}; csrf=${CSRF}; csrf=b`,
      `session=${SESSION}; session=${SESSION}`,
      'session=; csrf=',
      '=; ;;; =x',
      'session',
      `session=${SESSION}\x7f`,
      `session=${SESSION}\xff; csrf=${CSRF}`,
      '__proto__=x; constructor=y; toString=z',
      `csrf=${CSRF}; __proto__={"session":"x"}`,
      'session=../../etc/passwd',
      "session=' OR '1'='1",
      `session=${'0'.repeat(43)}`,
      `login-pending=${'A'.repeat(43)}; csrf=${CSRF}`,
      `login-pending=${SESSION}; login-pending=x; csrf=${CSRF}`,
      'login-pending=%00',
    ),
  },
);

/** A cookie header that is itself well-formed, for cases whose expected status depends on something else. */
export const clean = (cookie: string | undefined) => (cookie !== undefined && /^[\x20-\x7e]*$/.test(cookie) ? cookie : undefined);

/** Mostly the real CSRF cookie (so the fields get checked at all), sometimes anything. */
export const formCookieArb = fc.oneof(
  { weight: 5, arbitrary: fc.constant(`csrf=${CSRF}`) },
  { weight: 2, arbitrary: fc.constant(`session=${SESSION}; csrf=${CSRF}`) },
  { weight: 1, arbitrary: sessionIdArb.map((id) => `session=${id}; csrf=${CSRF}`) },
  { weight: 3, arbitrary: cookieArb },
);

/** Cookies alone: garbage, forged, huge, many, real, on every page. */
export const cookieCaseArb = fc
  .record({ route: routeArb, cookie: cookieArb, method: fc.constantFrom('GET', 'GET', 'HEAD') })
  .map(({ route, cookie, method }) => base({ kind: 'cookies', method, target: route, headers: headersFor(cookie ?? 'session=') }));
