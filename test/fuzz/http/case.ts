import fc from 'fast-check';
import { assetUrl } from '@gatehouse/front-end';

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

/** Placeholders for the live values, filled in by `serialize`. */
export const TOKEN = '@@TOKEN@@';
export const CSRF = '@@CSRF@@';
export const SESSION = '@@SESSION@@';
export const HOST = '@@HOST@@';

/** Bytes of a string's UTF-8 encoding, as a binary string. */
export const bin = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

/** Every route of the Front End, and those that take a form post. */
/** The stylesheet under its fingerprinted name: a static file, e.g. for Range requests. */
export const STYLESHEET = assetUrl('style.css');
/** The second factor's pages (issue 20): the login's code step and the Account page's TOTP forms. */
const SECOND_FACTOR_FORMS = ['/login/second-factor', '/account/totp/start', '/account/totp/confirm', '/account/totp/disable', '/account/recovery-codes'];
/** Passkeys (issue 20 §2): the ceremonies' options (JSON answers) and their form posts. */
const PASSKEY_FORMS = [
  '/login/passkey/options', '/login/passkey', '/login/second-factor/passkey/options', '/login/second-factor/passkey',
  '/account/passkeys/options', '/account/passkeys', '/account/passkeys/remove',
];
export const ROUTES = ['/', '/register', '/login', '/logout', '/logout-everywhere', '/secret', '/healthz', '/readyz', '/login/second-factor', STYLESHEET];
export const FORM_ROUTES = ['/register', '/login', '/logout', '/logout-everywhere', ...SECOND_FACTOR_FORMS, ...PASSKEY_FORMS];
export const routeArb = fc.constantFrom(...ROUTES);
export const formRouteArb = fc.constantFrom(...FORM_ROUTES);

export const FORM = 'application/x-www-form-urlencoded';

/** A case with defaults: GET / over HTTP/1.1 with a Host header and no body. */
export const base = (over: Partial<HttpCase> & Pick<HttpCase, 'kind'>): HttpCase => ({
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
export const enc = (v: string) => {
  try {
    return encodeURIComponent(v);
  } catch {
    return bin(v);
  }
};

/** Host (as a placeholder), then the Cookie header if there is one, then `extra`. */
export function headersFor(cookie: string | undefined, extra: [string, string][] = []): [string, string][] {
  const headers: [string, string][] = [['Host', HOST]];
  if (cookie !== undefined) headers.push(['Cookie', cookie]);
  return [...headers, ...extra];
}
