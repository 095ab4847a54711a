import fc from 'fast-check';
import { bin, enc, TOKEN } from './case.js';

/** Percent escapes that do not decode, or decode to invalid UTF-8; and raw bytes that are not UTF-8. */
export const INVALID_PERCENT = ['%', '%z', '%zz', '%E0%A4%A', '%C3%28', '%ff', '%FF%FE', '%c0%af', '%ed%a0%80', '%00', '%u0041', '%%', '%2', '%f0%9f%98'];
const INVALID_UTF8_BYTES = ['\xff', '\xfe', '\xc0\xaf', '\xe0\x80\xaf', '\xed\xa0\x80', '\xf8\x88\x80\x80\x80', '\x80', '\xc3'];

/** The CSRF field: mostly the real token, sometimes missing, altered or huge. */
const tokenArb: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 8, arbitrary: fc.constant(TOKEN) },
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constant(`${TOKEN}x`) },
  { weight: 1, arbitrary: fc.constant(`x${TOKEN}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 1, arbitrary: fc.constant('a'.repeat(10_000)) },
);

/** Values for the email field: plausible, malformed, hostile, random. */
export const emailValueArb = fc.oneof(
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

/** Values for the password field: plausible, too short or long, odd Unicode, random. */
export const passwordValueArb = fc.oneof(
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

const EXTRA_FIELDS = ['code', 'totp-code', 'enrol-password', 'disable-code', 'disable-password', 'code[]', 'email[]', 'password[]', '_csrf[]', '__proto__', 'constructor', 'prototype', 'extra', 'Email', 'email ', 'e%6dail', '', 'a'.repeat(1000)];

/** A form body with the fields of /login and /register, each maybe missing, repeated, mangled, or joined by extras. */
export const formBodyArb = fc
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
