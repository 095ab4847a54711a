import fc from 'fast-check';
import { base, CSRF, FORM, FORM_ROUTES, headersFor, HOST, routeArb, STYLESHEET, TOKEN, type HttpCase } from './case.js';
import { clean, cookieArb } from './cookies.js';
import { formBodyArb } from './form-bodies.js';

/** Over the 16 KiB header limit. */
const HUGE = 17 * 1024;

/** Header tricks: no Host, two Hosts, bad names, bad bytes, folding, huge and many headers, framing conflicts. */
export const headerArb = fc
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
        return base({ kind: 'headers', target: STYLESHEET, headers: headersFor(cookie, [['Range', 'bytes=999999-0, -1, x']]) });
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

