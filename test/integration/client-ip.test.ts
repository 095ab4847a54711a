import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectDatabase, type Database } from '@gatehouse/database';
import { FormClient } from '../support/form-client.js';
import { startForwardingProxy, type ForwardingProxy } from '../support/forwarding-proxy.js';
import { startStack, type Stack } from '../support/stack.js';

// Issue 7 §1: behind one trusted proxy, a client's own X-Forwarded-For changes nothing.
let stack: Stack;
let proxy: ForwardingProxy;
let db: Database;

beforeAll(async () => {
  stack = await startStack({ TRUST_PROXY: '1', RATE_LIMIT_PER_MINUTE: '5' });
  proxy = await startForwardingProxy(stack.url);
  db = connectDatabase({ url: stack.databaseUrl });
});

afterAll(async () => {
  await db?.close();
  await proxy?.close();
  await stack?.stop();
});

it('limits and audits a client by its real address, whatever X-Forwarded-For it sends', async () => {
  const statuses: number[] = [];
  const emails: string[] = [];
  for (let i = 0; i < 7; i++) {
    // A new forged address on every attempt, as an attacker dodging a per-IP limit would send.
    const client = new FormClient(proxy.url, { 'x-forwarded-for': `203.0.113.${i + 1}` });
    const email = `forger-${Date.now()}-${i}@example.com`;
    emails.push(email);
    statuses.push((await client.submit('/login', { email, password: 'wrong password here' })).status);
  }
  expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);

  const rows = await db.readWrite<{ ip: string | null }[]>`SELECT ip FROM auth_events WHERE email IN ${db.readWrite(emails)}`;
  expect(rows.length).toBeGreaterThan(0);
  // The proxy appended the client's address (127.0.0.1) and connected from 127.0.0.3.
  expect(new Set(rows.map((r) => r.ip))).toEqual(new Set(['127.0.0.1']));
});
