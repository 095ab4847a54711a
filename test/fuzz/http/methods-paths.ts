import fc from 'fast-check';
import { base, bin, enc, FORM, headersFor, routeArb } from './case.js';
import { cookieArb } from './cookies.js';
import { formBodyArb, INVALID_PERCENT } from './form-bodies.js';

const WRONG_METHODS = ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'SEARCH', 'PURGE', 'REPORT', 'QUERY', 'ACL', 'M-SEARCH', 'NOTIFY', 'LINK'];
const GARBAGE_METHODS = ['get', 'Get', 'post', 'FOO', 'GETT', 'POST\x00', '\x00', 'GET\t', '\xc3\x9cBER', 'A'.repeat(100), 'G-E-T', 'GET/', '[]', 'HTTP/1.1'];

/** Methods the routes do not take, known ones and garbage tokens. */
export const methodArb = fc
  .record({
    method: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...WRONG_METHODS) },
      { weight: 3, arbitrary: fc.constantFrom(...GARBAGE_METHODS) },
      { weight: 2, arbitrary: fc.stringMatching(/^[A-Z]{1,12}$/) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 12 }).map((s) => s.replace(/[\r\n ]/g, '_')) },
    ),
    route: routeArb,
    cookie: cookieArb,
    body: fc.option(formBodyArb, { nil: undefined }),
  })
  .map(({ method, route, cookie, body }) =>
    base({
      kind: 'method',
      method,
      target: route,
      headers: headersFor(cookie, body === undefined ? [] : [['Content-Type', FORM]]),
      body: body ?? '',
      framing: body === undefined ? 'none' : 'length',
      reuse: WRONG_METHODS.includes(method),
    }),
  );

const ODD_PATHS = [
  '/%00', '/..%2f..', '/..%2F..%2Fetc%2Fpasswd', '//secret', '///', '/secret/', '/SECRET', '/secret%2f', '/./secret', '/../secret',
  '/%2e%2e/secret', '/%', '/%zz', '/%c0%af', '/%ff%fe', '/%e0%80%80', '/login?x=%ff', '/login?email=a&email=b', '/login?%zz=1',
  '/login?a=%', '/\\secret', '/secret\\..', '/style.css', '/assets/style.css', '/assets/style.css/..', '/assets/style.css%00.js', '/assets/..%2Fpackage.json', '/healthz?%00', '/readyz#frag', '/login;jsessionid=1',
  '/%u0041', '/secret?redirect=//evil.example', '/login?next=http://evil.example', '/?__proto__[x]=1', '/?constructor[prototype][x]=1',
  '/register?email=%ff&password=%zz', '/logout?_csrf=x', `/${'a'.repeat(2000)}`, `/?${'q'.repeat(8000)}`, `/login?${'a=1&'.repeat(3000)}`,
  `/${'%2e%2e/'.repeat(200)}`, '/favicon.ico', '/robots.txt', '/.env', '/.git/config', '/index.html', '/views/login.eta',
];
const RAW_TARGETS = ['*', 'http://127.0.0.1/secret', 'http://evil.example/login', 'https://x/', '//evil.example/', '/\x00', '/\xff\xfe', bin('/ü'), '/a b', '/\t', '', ' /', 'secret', '/\x7f', '/\x1b[31m'];

const pathSegmentArb = fc.oneof(
  fc.string({ maxLength: 12 }).map(enc),
  fc.string({ unit: 'binary', maxLength: 8 }).map(enc),
  fc.constantFrom(...INVALID_PERCENT, '..', '.', '%2e%2e', '%2f', ''),
);

/** Odd and random paths and query strings, with odd cookies, on GET and HEAD. */
export const pathArb = fc
  .record({
    target: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...ODD_PATHS) },
      { weight: 2, arbitrary: fc.constantFrom(...RAW_TARGETS) },
      { weight: 4, arbitrary: fc.tuple(routeArb, fc.array(pathSegmentArb, { maxLength: 4 })).map(([r, segs]) => (segs.length ? `${r}/${segs.join('/')}` : r)) },
      {
        weight: 3,
        arbitrary: fc
          .tuple(routeArb, fc.array(fc.tuple(pathSegmentArb, pathSegmentArb), { minLength: 1, maxLength: 4 }))
          .map(([r, qs]) => `${r}?${qs.map(([k, v]) => `${k}=${v}`).join('&')}`),
      },
      { weight: 2, arbitrary: fc.webPath().map((p) => p || '/') },
    ),
    method: fc.constantFrom('GET', 'GET', 'GET', 'HEAD'),
    cookie: cookieArb,
  })
  .map(({ target, method, cookie }) =>
    base({ kind: 'path', method, target, headers: headersFor(cookie), reuse: /^[\x21-\x7e]+$/.test(target) && !target.startsWith('http') }),
  );

