import fc from 'fast-check';
import { base, bin, FORM, formRouteArb, headersFor, TOKEN } from './case.js';
import { cookieArb, formCookieArb } from './cookies.js';
import { emailValueArb, formBodyArb, passwordValueArb } from './form-bodies.js';

/** Content-Type headers: the form type, its variants, other types, none, anything. */
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

/** Form posts with bad, missing, duplicated and extra fields; most carry a valid CSRF pair. */
export const formArb = fc
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
export const otherBodyArb = fc
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
