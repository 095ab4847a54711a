import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { Browser, csrfToken, makeApp } from './helpers.js';
import type { FakeRpc } from './fake-rpc.js';

// Malformed requests in process (the system-level fuzz run lives in test/): whatever the
// input, the answer is a 2xx, 3xx or 4xx, never a 5xx, and the app keeps working.

let app: FastifyInstance;
let rpc: FakeRpc;
let token: string;
let csrfCookie: string;

beforeAll(async () => {
  // Cheap hashing: the point is the input handling, not argon2.
  ({ app, rpc } = await makeApp(undefined, { ARGON2_MEMORY_KIB: '7168', ARGON2_TIME_COST: '1', RATE_LIMIT_PER_MINUTE: '100000' }));
  const browser = new Browser(app);
  token = csrfToken((await browser.get('/login')).body);
  csrfCookie = `csrf=${encodeURIComponent(browser.cookies.get('csrf')!)}`;
});
afterAll(() => app.close());

/** encodeURIComponent, except that a lone surrogate goes out raw instead of throwing. */
const enc = (v: string) => {
  try {
    return encodeURIComponent(v);
  } catch {
    return v;
  }
};

const junk = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.constantFrom('%', '%zz', '%E0%A4%A', '%C3%28', '\u0000', '\ud800', 'a'.repeat(600), '🔑'.repeat(200), '\ufdfa'.repeat(40)),
);
const simpleEmail = fc.tuple(fc.stringMatching(/^[a-z0-9]{1,20}$/), fc.constantFrom('example.com', 'x.io')).map(([l, d]) => `${l}@${d}`);
const field = fc.constantFrom('email', 'password', '_csrf', 'email[]', '__proto__', 'constructor', 'extra');
const formBody = fc.oneof(
  fc.array(fc.tuple(field, junk), { maxLength: 6 }).map((pairs) => pairs.map(([k, v]) => `${k}=${enc(v)}`).join('&')),
  fc.array(fc.tuple(field, junk), { maxLength: 6 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')),
  junk,
);
const body = fc.oneof(formBody, fc.json(), fc.constantFrom('{"email":', '[]', 'null', '{"_csrf":{"x":1}}', 'x'.repeat(17_000)));
const contentType = fc.constantFrom(
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=latin1',
  'application/json',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  '',
  ';;;',
);
// The real CSRF cookie exists only once beforeAll ran, hence the lazy map.
const realCsrf = fc.constant(0).map(() => csrfCookie);
const cookie = fc.oneof(
  fc.constant(''),
  realCsrf,
  junk.map((v) => `session=${enc(v)}`),
  fc.tuple(realCsrf, junk).map(([csrf, v]) => `${csrf}; session=${v}; __Host-session=${v}`),
  fc.constantFrom('session=' + 'A'.repeat(43), 'csrf=forged.sig', 'session', '=;=;', 'session=%'),
);
const path = fc.constantFrom('/', '/login', '/register', '/logout', '/logout-everywhere', '/secret', '/healthz', '/style.css', '/nope', '/login?x=%', '//login', '/%2e%2e/');
const method = fc.constantFrom('GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD');

describe('malformed HTTP requests', () => {
  it('never get a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(method, path, contentType, body, cookie, fc.boolean(), async (m, url, type, payload, jar, withToken) => {
        const sent = withToken && m === 'POST' ? `_csrf=${encodeURIComponent(token)}&${payload}` : payload;
        const headers: Record<string, string> = { cookie: jar };
        if (type) headers['content-type'] = type;
        const res = await app.inject({ method: m as 'GET', url, headers, ...(m === 'GET' || m === 'HEAD' ? {} : { payload: sent }) });
        expect(res.statusCode, `${m} ${url} ${type} ${JSON.stringify(sent).slice(0, 200)}`).toBeLessThan(500);
      }),
      { numRuns: 600 },
    );
  });

  it('reach the form handlers with a valid token and still never get a 5xx', async () => {
    const formPath = fc.constantFrom('/login', '/register', '/logout', '/logout-everywhere');
    // Plausible credentials often, so that some requests get as far as hashing.
    const credentials = fc
      .record({ email: fc.oneof(simpleEmail, fc.emailAddress(), junk), password: fc.oneof(fc.string({ minLength: 1, maxLength: 140 }), junk) })
      .map(({ email, password }) => `email=${enc(email)}&password=${enc(password)}`);
    const payloads = fc.oneof(credentials, fc.tuple(credentials, formBody).map(([a, b]) => `${a}&${b}`), formBody);
    const answered = new Set<number>();
    await fc.assert(
      fc.asyncProperty(formPath, payloads, cookie, async (url, payload, jar) => {
        const res = await app.inject({
          method: 'POST',
          url,
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${csrfCookie}; ${jar}` },
          payload: `_csrf=${enc(token)}&${payload}`,
        });
        answered.add(res.statusCode);
        expect(res.statusCode, `${url} ${JSON.stringify(payload).slice(0, 200)}`).toBeLessThan(500);
      }),
      { numRuns: 400 },
    );
    // The run went past CSRF: bad fields (400), failed logins (401) and logouts (303).
    expect([...answered]).toEqual(expect.arrayContaining([303, 400, 401]));
  });

  it('leaves the app able to register and log in', async () => {
    const browser = new Browser(app);
    expect((await browser.submit('/register', { email: 'after@example.com', password: 'still standing 42' })).statusCode).toBe(303);
    expect((await new Browser(app).submit('/login', { email: 'after@example.com', password: 'still standing 42' })).statusCode).toBe(303);
    expect(rpc.users.has('after@example.com')).toBe(true);
  });
});
