import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveCookieSecret, deriveDeviceCookieKey, deriveSessionCookieKey } from '../src/http/cookies.js';
import { DeviceCookies } from '../src/sessions/device-cookies.js';

const SECRET = 'test-secret-test-secret-test-secret-0123';
const cookies = new DeviceCookies(deriveDeviceCookieKey(SECRET));
const EMAIL = 'ada@example.com';

describe('device cookies', () => {
  it('verify what they issued, for the same account however its email is typed', () => {
    const value = cookies.issue(EMAIL);
    expect(value).toMatch(/^d1\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    const nonce = value.split('.')[1]!;
    expect(cookies.verify(value, EMAIL)).toEqual({ nonce, hash: createHash('sha256').update(nonce).digest('hex') });
    expect(cookies.verify(value, '  ADA@Example.com ')?.nonce).toBe(nonce);
  });

  it('give every browser its own nonce, and keep a nonce they are given', () => {
    expect(cookies.issue(EMAIL)).not.toBe(cookies.issue(EMAIL));
    expect(cookies.issue(EMAIL, 'A'.repeat(22)).split('.')[1]).toBe('A'.repeat(22));
  });

  it("refuse another account's cookie, a tampered one and one signed with another secret", () => {
    const value = cookies.issue(EMAIL);
    const [version, nonce, mac] = value.split('.') as [string, string, string];
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    expect(cookies.verify(value, 'bob@example.com')).toBeUndefined();
    expect(cookies.verify(`${version}.${flip(nonce)}.${mac}`, EMAIL)).toBeUndefined();
    expect(cookies.verify(`${version}.${nonce}.${flip(mac)}`, EMAIL)).toBeUndefined();
    expect(cookies.verify(`d2.${nonce}.${mac}`, EMAIL)).toBeUndefined();
    const other = new DeviceCookies(deriveDeviceCookieKey('another-secret-another-secret-another-1'));
    expect(other.verify(value, EMAIL)).toBeUndefined();
  });

  it('answer malformed values with "untrusted", never an exception', () => {
    const nonce = 'A'.repeat(22);
    for (const value of [undefined, '', 'garbage', 'd1..', `d1.${nonce}`, `d1.${nonce}.short`, `d1.${nonce}.${'A'.repeat(43)}.x`, `d1.${'%'.repeat(22)}.${'A'.repeat(43)}`]) {
      expect(cookies.verify(value, EMAIL)).toBeUndefined();
    }
  });

  it('are signed with a key of their own, derived from SESSION_SECRET apart from the other cookies', () => {
    const key = deriveDeviceCookieKey(SECRET);
    expect(key).toHaveLength(32);
    expect(key.equals(deriveDeviceCookieKey(SECRET))).toBe(true);
    expect(key.equals(deriveCookieSecret(SECRET))).toBe(false);
    expect(key.equals(deriveSessionCookieKey(SECRET))).toBe(false);
  });

  it('name a device to the Back End only by a hash that cannot be turned back into the cookie', () => {
    const value = cookies.issue(EMAIL);
    const device = cookies.verify(value, EMAIL)!;
    expect(device.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(value).not.toContain(device.hash);
  });
});
