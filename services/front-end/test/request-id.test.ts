import { describe, expect, it } from 'vitest';
import { Browser, makeApp } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The X-Request-Id a request from `peer` with `sent` gets back, under a TRUST_PROXY setting. */
async function idReturned(trustProxy: string, peer: string, sent?: string): Promise<string | undefined> {
  const { app } = await makeApp(undefined, { TRUST_PROXY: trustProxy });
  const res = await app.inject({ url: '/healthz', remoteAddress: peer, headers: sent === undefined ? {} : { 'x-request-id': sent } });
  await app.close();
  return res.headers['x-request-id'] as string | undefined;
}

describe('every request has an id, returned in X-Request-Id', () => {
  it('is a fresh UUID when the client sends none', async () => {
    const first = await idReturned('0', '127.0.0.1');
    const second = await idReturned('0', '127.0.0.1');
    expect(first).toMatch(UUID);
    expect(second).toMatch(UUID);
    expect(second).not.toBe(first);
  });

  it("keeps a trusted proxy's id, by address or by hop count", async () => {
    expect(await idReturned('10.0.0.0/24', '10.0.0.9', 'lb-7f3a.42')).toBe('lb-7f3a.42');
    expect(await idReturned('1', '10.0.0.9', 'lb-7f3a.42')).toBe('lb-7f3a.42');
  });

  it('ignores the header from a peer that is not a trusted proxy', async () => {
    expect(await idReturned('10.0.0.0/24', '192.0.2.1', 'forged-by-client')).toMatch(UUID);
    expect(await idReturned('0', '10.0.0.9', 'forged-by-client')).toMatch(UUID);
  });

  it('replaces a malformed or overlong id even from a trusted proxy', async () => {
    for (const bad of ['has space', 'line\\nbreak', 'x'.repeat(129), '', 'ü-id', '{"json":1}']) {
      expect(await idReturned('1', '10.0.0.9', bad)).toMatch(UUID);
    }
    expect(await idReturned('1', '10.0.0.9', 'x'.repeat(128))).toBe('x'.repeat(128));
  });

  it('sends the id with every message to the Back End', async () => {
    const { app, rpc } = await makeApp();
    const browser = new Browser(app);
    const res = await browser.submit('/register', { email: 'trace@example.com', password: 'Tr0ub4dor & horse battery' });
    await app.close();
    expect(res.statusCode).toBe(303);
    expect(rpc.actions()).toEqual(['REGISTER']);
    expect(rpc.reqIds).toEqual([res.headers['x-request-id']]);
  });
});
