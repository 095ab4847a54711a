import { describe, expect, it } from 'vitest';
import { makeApp } from './helpers.js';

/** request.ip as the app sees it, for a connection from `peer` carrying `forwardedFor`. */
async function ipSeen(trustProxy: string, peer: string, forwardedFor: string): Promise<string> {
  const { app } = await makeApp(undefined, { TRUST_PROXY: trustProxy });
  app.get('/ip', async (request) => request.ip);
  const res = await app.inject({ url: '/ip', remoteAddress: peer, headers: { 'x-forwarded-for': forwardedFor } });
  await app.close();
  return res.body;
}

// The client forged the first entry; the proxy at 10.0.0.9 appended the real 198.51.100.7.
const CHAIN = '203.0.113.66, 198.51.100.7';

describe('TRUST_PROXY decides which X-Forwarded-For entry is the client', () => {
  it('with a hop count, takes the entry the nearest proxy appended', async () => {
    expect(await ipSeen('1', '10.0.0.9', CHAIN)).toBe('198.51.100.7');
  });

  it('with proxy addresses, trusts only those peers', async () => {
    expect(await ipSeen('10.0.0.0/24', '10.0.0.9', CHAIN)).toBe('198.51.100.7');
    expect(await ipSeen('10.0.0.0/24', '192.0.2.1', CHAIN)).toBe('192.0.2.1');
  });

  it('unset, ignores the header', async () => {
    expect(await ipSeen('0', '10.0.0.9', CHAIN)).toBe('10.0.0.9');
  });
});
