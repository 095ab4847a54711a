import { describe, expect, it } from 'vitest';
import { parseRequest } from '@gatehouse/protocol';
import { rawBody } from '../src/raw-body.js';

describe('rawBody', () => {
  it('passes bytes through untouched', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x7b]);
    expect(rawBody({ body: bytes })).toBe(bytes);
  });

  it('turns text/plain strings back into bytes, so they are parsed once', () => {
    expect(rawBody({ body: '{"a":1}', contentType: 'text/plain' })?.toString()).toBe('{"a":1}');
  });

  it('re-encodes a body the client library already parsed as JSON, so a JSON string stays a string', () => {
    const inner = '{"action":"GETHASH","data":{"email":"a@b.io"}}';
    const raw = rawBody({ body: inner, contentType: 'application/json' })!;
    expect(parseRequest(raw)).toMatchObject({ ok: false, reply: { message: 'Request must be a JSON object' } });
  });

  it('lets the size limit see a parsed application/json body', () => {
    const big = { action: 'GETHASH', data: { email: 'a@b.io' }, pad: 'p'.repeat(70_000) };
    const raw = rawBody({ body: big, contentType: 'application/json' })!;
    expect(parseRequest(raw)).toMatchObject({ ok: false, reply: { message: expect.stringContaining('larger than') } });
  });

  it('gives up on a value nested too deeply to serialise again', () => {
    let deep: unknown = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(rawBody({ body: deep, contentType: 'application/json' })).toBeUndefined();
  });
});
