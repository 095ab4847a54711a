import { describe, expect, it } from 'vitest';
import { MAX_REQUEST_BYTES, Messages, parseRequest } from '../src/index.js';

const body = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('parseRequest', () => {
  it('accepts a REGISTER request and trims the email', () => {
    const result = parseRequest(body({ action: 'REGISTER', data: { email: '  Ann@Example.com ', hash: 'h' } }));
    expect(result).toEqual({ ok: true, request: { action: 'REGISTER', data: { email: 'Ann@Example.com', hash: 'h' } } });
  });

  it('accepts a REGISTER that also starts a session, and refuses a tokenHash that is not 64 hex characters', () => {
    const tokenHash = 'ab'.repeat(32);
    const data = { email: 'a@b.io', hash: 'h', tokenHash };
    expect(parseRequest(body({ action: 'REGISTER', data }))).toEqual({ ok: true, request: { action: 'REGISTER', data } });
    const bad = parseRequest(body({ action: 'REGISTER', data: { ...data, tokenHash: 'the-session-id-itself' } }));
    expect(bad).toMatchObject({ ok: false, reply: { message: expect.stringContaining('data.tokenHash') } });
  });

  it('accepts a GETHASH request given as text', () => {
    const request = { action: 'GETHASH', data: { email: 'a@b.io' } };
    expect(parseRequest(JSON.stringify(request))).toEqual({ ok: true, request });
  });

  it('does not decode a JSON string twice', () => {
    const inner = JSON.stringify({ action: 'GETHASH', data: { email: 'a@b.io' } });
    expect(parseRequest(JSON.stringify(inner))).toEqual({ ok: false, reply: { success: false, message: 'Request must be a JSON object' } });
  });

  it.each([
    ['the email', { action: 'GETHASH', data: { email: 'a\u0000@b.io' } }],
    ['the hash', { action: 'REGISTER', data: { email: 'a@b.io', hash: 'a\u0000b' } }],
    ['the user agent', { action: 'LOGIN_FAILED', data: { email: 'a@b.io', client: { userAgent: 'x\u0000' } } }],
  ])('refuses a NUL character in %s, which PostgreSQL cannot store', (_field, request) => {
    const result = parseRequest(Buffer.from(JSON.stringify(request)));
    expect(result).toMatchObject({ ok: false, reply: { success: false, message: expect.stringContaining('NUL') } });
  });

  it('ignores unknown extra fields so the protocol can grow', () => {
    const result = parseRequest(body({ action: 'GETHASH', data: { email: 'a@b.io', extra: 1 }, version: 2 }));
    expect(result.ok).toBe(true);
  });

  it.each([
    ['no action', { data: {} }, Messages.noAction],
    ['a null action', { action: null, data: {} }, Messages.noAction],
    ['an unknown action', { action: 'DELETE', data: {} }, Messages.unknownAction],
    ['a non-string action', { action: 42 }, Messages.unknownAction],
    ['an inherited property name as action', { action: 'toString' }, Messages.unknownAction],
    ['a JSON array', [1, 2], 'Request must be a JSON object'],
    ['a JSON string', 'hello', 'Request must be a JSON object'],
  ])('answers %s with a protocol error', (_name, value, message) => {
    expect(parseRequest(body(value))).toEqual({ ok: false, reply: { success: false, message } });
  });

  it('answers invalid JSON with what is wrong', () => {
    const result = parseRequest(Buffer.from('{"action": "REGISTER", '));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reply.message).toMatch(/^Invalid JSON: /);
  });

  it('names each bad field of an otherwise valid action', () => {
    const result = parseRequest(body({ action: 'REGISTER', data: { email: 'not-an-email', hash: 7 } }));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reply.success).toBe(false);
      expect(result.reply.message).toContain('data.email: email is not a valid address');
      expect(result.reply.message).toContain('data.hash');
    }
  });

  it('rejects a request without data', () => {
    const result = parseRequest(body({ action: 'GETHASH' }));
    expect(result).toMatchObject({ ok: false, reply: { success: false, message: expect.stringContaining('data') } });
  });

  it('rejects an email longer than 254 characters', () => {
    const email = `${'a'.repeat(250)}@b.io`;
    const result = parseRequest(body({ action: 'GETHASH', data: { email } }));
    expect(result).toMatchObject({ ok: false, reply: { message: expect.stringContaining('longer than 254') } });
  });

  it('refuses an oversized body before parsing it', () => {
    const result = parseRequest(Buffer.alloc(MAX_REQUEST_BYTES + 1, 0x20));
    expect(result).toMatchObject({ ok: false, reply: { message: expect.stringContaining('larger than') } });
  });
});
