import fc from 'fast-check';

/**
 * One generated HTTP request, kept as parts so that live values (a CSRF token, its cookie,
 * a real session id) can be filled in when it is sent. Strings here are "binary": one
 * character per byte (latin1), so invalid UTF-8 and control bytes survive as they are.
 */
export interface HttpCase {
  kind: string;
  method: string;
  target: string;
  /** '' sends an HTTP/0.9-style request line without a version. */
  version: string;
  headers: [string, string][];
  body: string;
  /**
   * How the body is framed: `length` (right Content-Length), `none` (no framing header),
   * `chunked`, `over` (Content-Length larger than sent: a truncated body), `under` (smaller
   * than sent: smuggled bytes), `double` (two different Content-Lengths), `te-cl` (both
   * Transfer-Encoding and Content-Length), `bad-chunked` (broken chunk sizes).
   */
  framing: 'length' | 'none' | 'chunked' | 'over' | 'under' | 'double' | 'te-cl' | 'bad-chunked';
  eol: string;
  /** When set, exactly these bytes are sent and every other field is ignored. */
  raw?: string;
  /** Well-formed enough to go on a kept-alive connection. */
  reuse: boolean;
  /** The server may rightly wait for bytes that never come (a truncated request). */
  mayHang?: boolean;
  /** The server may rightly close without an answer (a body it refused mid-upload, CONNECT, Upgrade). */
  mayDrop?: boolean;
  /** When set, the only right statuses for this request. */
  expect?: number[];
}

/** Values only known once the services run. */
export interface LiveValues {
  host: string;
  /** A CSRF token from a rendered form, and the signed cookie it belongs to. */
  token: string;
  csrfCookie: string;
  /** The session cookie of a logged-in user. */
  session: string;
}

const TOKEN = '@@TOKEN@@';
const CSRF = '@@CSRF@@';
const SESSION = '@@SESSION@@';
const HOST = '@@HOST@@';

/** Bytes of a string's UTF-8 encoding, as a binary string. */
const bin = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

export function serialize(c: HttpCase, live: LiveValues): Buffer {
  const fill = (s: string) => s.replaceAll(TOKEN, live.token).replaceAll(CSRF, live.csrfCookie).replaceAll(SESSION, live.session).replaceAll(HOST, live.host);
  if (c.raw !== undefined) return Buffer.from(fill(c.raw), 'latin1');
  const body = fill(c.body);
  const headers = c.headers.map(([k, v]): [string, string] => [k, fill(v)]);
  const length = body.length; // binary string: one char per byte
  let payload = body;
  switch (c.framing) {
    case 'length':
      headers.push(['Content-Length', String(length)]);
      break;
    case 'none':
      break;
    case 'chunked':
      headers.push(['Transfer-Encoding', 'chunked']);
      payload = chunk(body);
      break;
    case 'over':
      headers.push(['Content-Length', String(length + 1 + (length % 4096))]);
      break;
    case 'under':
      headers.push(['Content-Length', String(Math.floor(length / 2))]);
      break;
    case 'double':
      headers.push(['Content-Length', String(length)], ['Content-Length', String(length + 7)]);
      break;
    case 'te-cl':
      headers.push(['Content-Length', String(length)], ['Transfer-Encoding', 'chunked']);
      payload = chunk(body);
      break;
    case 'bad-chunked':
      headers.push(['Transfer-Encoding', 'chunked']);
      payload = `zz\r\n${body}\r\n-1\r\n\r\n`;
      break;
  }
  const requestLine = c.version === '' ? `${c.method} ${c.target}` : `${c.method} ${c.target} ${c.version}`;
  const head = [requestLine, ...headers.map(([k, v]) => `${k}: ${v}`)].join(c.eol);
  return Buffer.from(`${head}${c.eol}${c.eol}${payload}`, 'latin1');
}

function chunk(body: string): string {
  const parts: string[] = [];
  for (let i = 0; i < body.length; i += 1000) {
    const piece = body.slice(i, i + 1000);
    parts.push(`${piece.length.toString(16)}\r\n${piece}\r\n`);
  }
  return `${parts.join('')}0\r\n\r\n`;
}

// --- building blocks ----------------------------------------------------------------------

export const ROUTES = ['/', '/register', '/login', '/logout', '/logout-everywhere', '/secret', '/healthz', '/readyz', '/style.css'];
const FORM_ROUTES = ['/register', '/login', '/logout', '/logout-everywhere'];
const routeArb = fc.constantFrom(...ROUTES);
const formRouteArb = fc.constantFrom(...FORM_ROUTES);

const base = (over: Partial<HttpCase> & Pick<HttpCase, 'kind'>): HttpCase => ({
  method: 'GET',
  target: '/',
  version: 'HTTP/1.1',
  headers: [['Host', HOST]],
  body: '',
  framing: 'none',
  eol: '\r\n',
  reuse: true,
  ...over,
});

/** encodeURIComponent, except that what it refuses (lone surrogates) goes out as raw UTF-8. */
const enc = (v: string) => {
  try {
    return encodeURIComponent(v);
  } catch {
    return bin(v);
  }
};

const INVALID_PERCENT = ['%', '%z', '%zz', '%E0%A4%A', '%C3%28', '%ff', '%FF%FE', '%c0%af', '%ed%a0%80', '%00', '%u0041', '%%', '%2', '%f0%9f%98'];
const INVALID_UTF8_BYTES = ['\xff', '\xfe', '\xc0\xaf', '\xe0\x80\xaf', '\xed\xa0\x80', '\xf8\x88\x80\x80\x80', '\x80', '\xc3'];

const sessionIdArb = fc.stringMatching(/^[A-Za-z0-9_-]{43}$/);

/** Cookie headers: none, real, forged, garbage, huge, many. */
const cookieArb: fc.Arbitrary<string | undefined> = fc.oneof(
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
    ),
  },
);

const tokenArb: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 8, arbitrary: fc.constant(TOKEN) },
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constant(`${TOKEN}x`) },
  { weight: 1, arbitrary: fc.constant(`x${TOKEN}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 1, arbitrary: fc.constant('a'.repeat(10_000)) },
);

const emailValueArb = fc.oneof(
  { weight: 3, arbitrary: fc.nat({ max: 100_000 }).map((n) => `fuzz${n}@example.com`) },
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      '', ' ', 'plainaddress', '@example.com', 'a@', 'a@@b.io', '<script>alert(1)</script>@x.io', "' OR 1=1 --@x.io",
      `${'a'.repeat(250)}@b.io`, `${'e'.repeat(10_000)}@example.com`, 'ü@ü.example', 'a@b.io\u0000', '\ud800@x.io',
      'Fuzz@Example.COM', ' fuzz@example.com ', 'ＦＵＺＺ@example.com', 'a@b.io\r\nBcc: x@y.io',
    ),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 80 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
);

const passwordValueArb = fc.oneof(
  { weight: 3, arbitrary: fc.nat().map((n) => `Correct-Horse-${n}-Battery`) },
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      '', 'short', 'password', 'password1', '12345678', 'x'.repeat(128), 'x'.repeat(129), 'x'.repeat(600), 'y'.repeat(10_000),
      'ﬃ'.repeat(100), '\ufdfa'.repeat(40), '🔑'.repeat(128), '🔑'.repeat(129), 'pass\u0000word-long', '\ud800\udc00\ud800-long-enough',
      'fuzz1@example.com', 'my-fuzz1-password',
    ),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 150 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 150 }) },
);

type Encoding = 'proper' | 'raw' | 'broken' | 'bytes';
const encodingArb = fc.constantFrom<Encoding>('proper', 'proper', 'proper', 'raw', 'broken', 'bytes');

function encodeValue(value: string, how: Encoding, pick: number): string {
  switch (how) {
    case 'proper':
      return enc(value);
    case 'raw':
      return bin(value); // '&', '=', '%' and non-ASCII as they are
    case 'broken': {
      const bad = INVALID_PERCENT[pick % INVALID_PERCENT.length]!;
      const at = pick % (value.length + 1);
      return enc(value.slice(0, at)) + bad + enc(value.slice(at));
    }
    case 'bytes':
      return enc(value) + INVALID_UTF8_BYTES[pick % INVALID_UTF8_BYTES.length]!;
  }
}

const EXTRA_FIELDS = ['email[]', 'password[]', '_csrf[]', '__proto__', 'constructor', 'prototype', 'extra', 'Email', 'email ', 'e%6dail', '', 'a'.repeat(1000)];

/** A form body with the fields of /login and /register, each maybe missing, repeated, mangled, or joined by extras. */
const formBodyArb = fc
  .record({
    email: fc.option(emailValueArb, { freq: 6, nil: undefined }),
    password: fc.option(passwordValueArb, { freq: 6, nil: undefined }),
    token: tokenArb,
    duplicate: fc.option(fc.constantFrom('email', 'password', '_csrf'), { freq: 4, nil: undefined }),
    extras: fc.array(fc.tuple(fc.constantFrom(...EXTRA_FIELDS), fc.string({ maxLength: 30 })), { maxLength: 3 }),
    encoding: encodingArb,
    pick: fc.nat(),
    shuffle: fc.boolean(),
    separators: fc.constantFrom('&', '&', '&', '&', '&', '&', '&&', ';', '&amp;'),
  })
  .map(({ email, password, token, duplicate, extras, encoding, pick, shuffle, separators }) => {
    const pairs: [string, string][] = [];
    if (email !== undefined) pairs.push(['email', email]);
    if (password !== undefined) pairs.push(['password', password]);
    if (token !== undefined) pairs.push(['_csrf', token]);
    if (duplicate) pairs.push([duplicate, duplicate === '_csrf' ? TOKEN : 'second']);
    pairs.push(...extras);
    if (shuffle) pairs.reverse();
    // Placeholders must survive encoding: they are plain ASCII and filled in after.
    const value = (v: string, p: number) => v.split(TOKEN).map((part) => (part === '' ? '' : encodeValue(part, encoding, p))).join(TOKEN);
    return pairs.map(([k, v]) => `${enc(k)}=${value(v, pick + k.length)}`).join(separators);
  });

const FORM = 'application/x-www-form-urlencoded';
const contentTypeArb: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 12, arbitrary: fc.constant(FORM) },
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      `${FORM}; charset=utf-8`, `${FORM}; charset=latin1`, `${FORM}; charset=utf-16`, `${FORM}; charset=`, 'APPLICATION/X-WWW-FORM-URLENCODED',
      `${FORM}, text/plain`, `${FORM};;;`, 'application/json', 'application/json; charset=utf-8', 'text/plain', 'text/html',
      'multipart/form-data; boundary=----fuzz', 'multipart/form-data', 'application/octet-stream', 'application/xml', '', ';;;',
      'application/x-www-form-urlencoded\x00', `${FORM}\xff`, `${FORM}; ${'a=b; '.repeat(1000)}`, '*/*', 'application/*',
    ),
  },
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, '')) },
);

const userAgentArb = fc.oneof(
  { weight: 8, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constantFrom('Mozilla/5.0 (fuzz)', 'x'.repeat(600), '\xff\xfe', "'; DROP TABLE auth_events; --", '') },
);

/** A cookie header that is itself well-formed, for cases whose expected status depends on something else. */
const clean = (cookie: string | undefined) => (cookie !== undefined && /^[\x20-\x7e]*$/.test(cookie) ? cookie : undefined);

function headersFor(cookie: string | undefined, extra: [string, string][] = []): [string, string][] {
  const headers: [string, string][] = [['Host', HOST]];
  if (cookie !== undefined) headers.push(['Cookie', cookie]);
  return [...headers, ...extra];
}

// --- generators, one per kind of bad input -----------------------------------------------

/** Mostly the real CSRF cookie (so the fields get checked at all), sometimes anything. */
const formCookieArb = fc.oneof(
  { weight: 5, arbitrary: fc.constant(`csrf=${CSRF}`) },
  { weight: 2, arbitrary: fc.constant(`session=${SESSION}; csrf=${CSRF}`) },
  { weight: 1, arbitrary: sessionIdArb.map((id) => `session=${id}; csrf=${CSRF}`) },
  { weight: 3, arbitrary: cookieArb },
);

/** Form posts with bad, missing, duplicated and extra fields; most carry a valid CSRF pair. */
const formArb = fc
  .record({
    route: formRouteArb,
    body: formBodyArb,
    cookie: formCookieArb,
    type: fc.oneof({ weight: 3, arbitrary: fc.constant(FORM) }, { weight: 2, arbitrary: contentTypeArb }),
    ua: userAgentArb,
    chunked: fc.nat({ max: 9 }),
  })
  .map(({ route, body, cookie, type, ua, chunked }) =>
    base({
      kind: 'form-fields',
      method: 'POST',
      target: route,
      headers: headersFor(cookie, [...(type !== undefined ? ([['Content-Type', type]] as [string, string][]) : []), ...(ua !== undefined ? ([['User-Agent', ua]] as [string, string][]) : [])]),
      body,
      framing: chunked === 0 ? 'chunked' : 'length',
    }),
  );

const multipartBody = (token: string) =>
  ['------fuzz', 'Content-Disposition: form-data; name="email"', '', 'fuzz@example.com', '------fuzz', 'Content-Disposition: form-data; name="_csrf"', '', token, '------fuzz--', ''].join('\r\n');

/** JSON, multipart and other bodies where a form is expected. */
const otherBodyArb = fc
  .record({
    route: formRouteArb,
    cookie: cookieArb,
    body: fc.oneof(
      fc.json({ maxDepth: 3 }).map((j): [string, string] => ['application/json', bin(j)]),
      fc.record({ email: emailValueArb, password: passwordValueArb }).map(({ email, password }): [string, string] => ['application/json', bin(JSON.stringify({ email, password, _csrf: TOKEN }))]),
      fc.constantFrom<[string, string]>(
        ['application/json', `{"email":"fuzz@example.com","password":"x","_csrf":["${TOKEN}"]}`],
        ['application/json', `{"_csrf":{"toString":"${TOKEN}"}}`],
        ['application/json', `{"__proto__":{"_csrf":"${TOKEN}"},"email":"a@b.io"}`],
        ['application/json', `{"constructor":{"prototype":{"_csrf":"${TOKEN}"}}}`],
        ['application/json', '{"email":'],
        ['application/json', 'null'],
        ['application/json', '"string"'],
        ['application/json', '[]'],
        ['application/json', ''],
        ['application/json', `${'['.repeat(7000)}${']'.repeat(7000)}`],
        ['application/json', `{"_csrf":"${TOKEN}","a":${'['.repeat(7000)}${']'.repeat(7000)}}`],
        ['application/json', `{"x":${'{"a":'.repeat(2500)}{"__proto__":1}${'}'.repeat(2500)}}`],
        ['application/json', `{"x":${'['.repeat(3000)}{"constructor":{"prototype":1}}${']'.repeat(3000)}}`],
        ['application/json', '\xff\xfe{"email":"a@b.io"}'],
        ['multipart/form-data; boundary=----fuzz', multipartBody(TOKEN)],
        ['multipart/form-data; boundary=----fuzz', multipartBody(TOKEN).slice(0, 40)],
        ['text/plain', `email=fuzz@example.com&password=x&_csrf=${TOKEN}`],
        ['application/octet-stream', '\x00\x01\x02\xff'],
        ['application/xml', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'],
      ),
    ),
  })
  .map(({ route, cookie, body: [type, body] }) =>
    base({ kind: 'content-type', method: 'POST', target: route, headers: headersFor(cookie, [['Content-Type', type]]), body, framing: 'length' }),
  );

const WRONG_METHODS = ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'SEARCH', 'PURGE', 'REPORT', 'QUERY', 'ACL', 'M-SEARCH', 'NOTIFY', 'LINK'];
const GARBAGE_METHODS = ['get', 'Get', 'post', 'FOO', 'GETT', 'POST\x00', '\x00', 'GET\t', '\xc3\x9cBER', 'A'.repeat(100), 'G-E-T', 'GET/', '[]', 'HTTP/1.1'];

/** Methods the routes do not take, known ones and garbage tokens. */
const methodArb = fc
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
  '/login?a=%', '/\\secret', '/secret\\..', '/style.css/..', '/style.css%00.js', '/healthz?%00', '/readyz#frag', '/login;jsessionid=1',
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
const pathArb = fc
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

/** Cookies alone: garbage, forged, huge, many, real, on every page. */
const cookieCaseArb = fc
  .record({ route: routeArb, cookie: cookieArb, method: fc.constantFrom('GET', 'GET', 'HEAD') })
  .map(({ route, cookie, method }) => base({ kind: 'cookies', method, target: route, headers: headersFor(cookie ?? 'session=') }));

const HUGE = 17 * 1024;

/** Header tricks: no Host, two Hosts, bad names, bad bytes, folding, huge and many headers, framing conflicts. */
const headerArb = fc
  .record({
    route: routeArb,
    trick: fc.constantFrom(
      'no-host', 'two-hosts', 'host-garbage', 'host-huge', 'bad-name-space', 'bad-name-nul', 'bad-name-colon', 'non-ascii-name', 'nul-value',
      'del-value', 'high-bytes-value', 'obs-fold', 'bare-lf', 'huge-header', 'many-headers', 'some-headers', 'cl-negative', 'cl-garbage',
      'cl-list', 'double-cl', 'te-cl', 'bad-chunked', 'te-gzip', 'expect-continue', 'expect-garbage', 'upgrade', 'forwarded', 'huge-cookie',
      'range', 'accept-garbage', 'connection-garbage', 'csrf-header', 'csrf-header-garbage',
    ),
    cookie: cookieArb,
    form: formBodyArb,
  })
  .map(({ route, trick, cookie, form }): HttpCase => {
    const post = (over: Partial<HttpCase>) =>
      base({ kind: 'headers', method: 'POST', target: FORM_ROUTES.includes(route) ? route : '/login', headers: headersFor(cookie, [['Content-Type', FORM]]), body: form, framing: 'length', reuse: false, ...over });
    const get = (extra: [string, string][], over: Partial<HttpCase> = {}) =>
      base({ kind: 'headers', target: route, headers: headersFor(cookie, extra), reuse: false, ...over });
    switch (trick) {
      case 'no-host':
        return base({ kind: 'headers', target: route, headers: cookie ? [['Cookie', cookie]] : [], reuse: false });
      case 'two-hosts':
        return get([['Host', 'evil.example']]);
      case 'host-garbage':
        return base({ kind: 'headers', target: route, headers: [['Host', '\xff\xfe@evil:99999/x']], reuse: false });
      case 'host-huge':
        return base({ kind: 'headers', target: route, headers: [['Host', 'h'.repeat(HUGE)]], reuse: false, expect: [431] });
      case 'bad-name-space':
        return get([['Bad Header', 'x']]);
      case 'bad-name-nul':
        return get([['Bad\x00', 'x']]);
      case 'bad-name-colon':
        return get([['', 'no name']]);
      case 'non-ascii-name':
        return get([['X-\xc3\x9c', 'y']]);
      case 'nul-value':
        return get([['X-Nul', 'a\x00b']]);
      case 'del-value':
        return get([['X-Del', 'a\x7fb']]);
      case 'high-bytes-value':
        return get([['X-High', '\xff\xfe\x80'], ['User-Agent', '\xff\xfe\x80']]);
      case 'obs-fold':
        return get([['X-Folded', 'a\r\n b']]);
      case 'bare-lf':
        return get([['X-Lf', 'a']], { eol: '\n' });
      case 'huge-header':
        return get([['X-Huge', 'x'.repeat(HUGE)]], { expect: [431], headers: headersFor(clean(cookie), [['X-Huge', 'x'.repeat(HUGE)]]) });
      case 'many-headers': {
        const many = Array.from({ length: 2500 }, (_, i): [string, string] => [`X-H${i}`, 'v']);
        return get(many, { expect: [431], headers: headersFor(clean(cookie), many) });
      }
      case 'some-headers':
        return get(Array.from({ length: 300 }, (_, i): [string, string] => [`X-H${i}`, 'v']), { reuse: true });
      case 'cl-negative':
        return post({ framing: 'none', headers: headersFor(cookie, [['Content-Type', FORM], ['Content-Length', '-1']]), expect: [400] });
      case 'cl-garbage':
        return post({ framing: 'none', headers: headersFor(cookie, [['Content-Type', FORM], ['Content-Length', 'abc']]), expect: [400] });
      case 'cl-list':
        return post({ framing: 'none', headers: headersFor(cookie, [['Content-Type', FORM], ['Content-Length', `${form.length}, ${form.length}`]]) });
      case 'double-cl':
        return post({ framing: 'double', expect: [400] });
      case 'te-cl':
        return post({ framing: 'te-cl', expect: [400] });
      case 'bad-chunked':
        return post({ framing: 'bad-chunked', expect: [400] });
      case 'te-gzip':
        return post({ framing: 'none', headers: headersFor(cookie, [['Content-Type', FORM], ['Transfer-Encoding', 'gzip']]) });
      case 'expect-continue':
        return post({ headers: headersFor(cookie, [['Content-Type', FORM], ['Expect', '100-continue']]) });
      case 'expect-garbage':
        return post({ headers: headersFor(cookie, [['Content-Type', FORM], ['Expect', 'the-unexpected']]) });
      case 'upgrade':
        return get([['Connection', 'Upgrade'], ['Upgrade', 'websocket'], ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='], ['Sec-WebSocket-Version', '13']]);
      case 'forwarded':
        return get([['X-Forwarded-For', '\xff, 999.1.1.1, ::1'], ['X-Forwarded-Proto', 'https'], ['X-Forwarded-Host', 'evil.example'], ['Forwarded', 'for=";']], { reuse: true });
      case 'huge-cookie':
        return base({ kind: 'headers', target: route, headers: [['Host', HOST], ['Cookie', `session=${'A'.repeat(HUGE)}`]], reuse: false, expect: [431] });
      case 'range':
        return base({ kind: 'headers', target: '/style.css', headers: headersFor(cookie, [['Range', 'bytes=999999-0, -1, x']]) });
      case 'accept-garbage':
        return get([['Accept', '\xff/\xff;q=x'], ['Accept-Encoding', 'gzip;q=2, br;q=-1, *;q=NaN'], ['Accept-Language', '*'.repeat(1000)]], { reuse: true });
      case 'csrf-header':
        return post({ body: form.replaceAll(TOKEN, ''), headers: headersFor(`csrf=${CSRF}`, [['Content-Type', FORM], ['X-CSRF-Token', TOKEN]]), reuse: true });
      case 'csrf-header-garbage':
        return post({ headers: headersFor(cookie, [['Content-Type', FORM], ['X-CSRF-Token', '\xff'.repeat(100)], ['CSRF-Token', ''], ['X-XSRF-Token', TOKEN]]) });
      case 'connection-garbage':
        return get([['Connection', 'keep-alive, close, upgrade, \xff']]);
      default:
        throw new Error(`unknown trick ${trick}`);
    }
  });

/**
 * Raw bytes. Only a request that is not complete yet (no request line, or no blank line
 * after the headers) may be left waiting; none may be dropped unanswered (CONNECT gets 405).
 */
const garbage = (raw: string): HttpCase =>
  base({ kind: 'garbage', raw, reuse: false, mayHang: !/[^\r\n][^]*\r\n\r\n/.test(raw), mayDrop: false });

/** Request lines with odd versions, and bytes that are not HTTP at all. */
const garbageArb = fc.oneof(
  fc.tuple(fc.constantFrom('HTTP/1.0', '', 'HTTP/2.0', 'HTTP/1.2', 'HTTP/3', 'http/1.1', 'HTTP/11', 'HTTP/1', 'HTTP/9.9', 'HTTPS/1.1', 'HTTP/1.1\x00', 'HTTP/1.1 x'), routeArb).map(
    ([version, route]) => base({ kind: 'version', version, target: route, reuse: false, mayHang: version === '' }),
  ),
  fc.uint8Array({ minLength: 1, maxLength: 600 }).map((bytes) => garbage(`${Buffer.from(bytes).toString('latin1')}\r\n\r\n`)),
  fc.string({ unit: 'binary', maxLength: 200 }).map((s) => garbage(`${bin(s)}\r\n\r\n`)),
  fc.constantFrom(
    'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
    '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' + '\x00'.repeat(40),
    'SSH-2.0-OpenSSH_9.0\r\n',
    '\r\n\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: x\r\n',
    'GET / HTTP/1.1\r\n\r\n',
    'GET / HTTP/1.1\rHost: x\r\r',
    'GET  /  HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET /\r\n\r\n',
    'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n',
    'CONNECT evil.example:443 HTTP/1.1\r\n\r\n',
    '\x00\x00\x00\x00\r\n\r\n',
    `POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: ${FORM}\r\nContent-Length: 5\r\n\r\nemail=x&password=y&_csrf=z`,
    `POST /login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: ${FORM}\r\n\r\n5\r\nemail\r\n0\r\n\r\nGET /secret HTTP/1.1\r\nHost: x\r\n\r\n`,
  ).map(garbage),
);

/** Bodies over the 16 KiB limit, declared or chunked. */
const hugeBodyArb = fc
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
const truncatedArb = fc.record({ route: formRouteArb, body: formBodyArb, cookie: cookieArb }).map(({ route, body, cookie }) =>
  base({ kind: 'truncated', method: 'POST', target: route, headers: headersFor(cookie, [['Content-Type', FORM]]), body, framing: 'over', reuse: false, mayHang: true }),
);

/** Content-Length smaller than what is sent: the rest is a second, garbage request. */
const underArb = fc.record({ route: formRouteArb, body: formBodyArb.filter((b) => b.length > 4), cookie: cookieArb }).map(({ route, body, cookie }) =>
  base({ kind: 'smuggled', method: 'POST', target: route, headers: headersFor(cookie, [['Content-Type', FORM]]), body, framing: 'under', reuse: false }),
);

/** Requests a browser would send, as a baseline among the bad ones. */
const validArb = fc.oneof(
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

export const httpCaseArb: fc.Arbitrary<HttpCase> = fc.oneof(
  { weight: 30, arbitrary: formArb },
  { weight: 8, arbitrary: otherBodyArb },
  { weight: 10, arbitrary: methodArb },
  { weight: 14, arbitrary: pathArb },
  { weight: 10, arbitrary: cookieCaseArb },
  { weight: 12, arbitrary: headerArb },
  { weight: 6, arbitrary: garbageArb },
  { weight: 2, arbitrary: hugeBodyArb },
  { weight: 1, arbitrary: truncatedArb },
  { weight: 2, arbitrary: underArb },
  { weight: 5, arbitrary: validArb },
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

/**
 * Cases until `malformedCount` of them are malformed (every kind but the `valid` baseline,
 * which comes on top), the special ones spread among fast-check's, all from `seed`.
 */
export function generateHttpCases(seed: number, malformedCount: number): HttpCase[] {
  const specials = specialHttpCases();
  let malformed = specials.length;
  const generated: HttpCase[] = [];
  for (const kase of fc.sample(httpCaseArb, { seed, numRuns: Math.ceil(malformedCount * 1.1) + 100 })) {
    if (malformed >= malformedCount) break;
    generated.push(kase);
    if (kase.kind !== 'valid') malformed++;
  }
  if (malformed < malformedCount) throw new Error(`only ${malformed} malformed requests generated, want ${malformedCount}`);
  const step = Math.max(1, Math.floor(generated.length / (specials.length + 1)));
  specials.forEach((special, i) => generated.splice(Math.min(generated.length, (i + 1) * step + i), 0, special));
  return generated;
}
