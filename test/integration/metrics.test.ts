import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fetch } from 'undici';
import { connectAmqp, type Connection } from '@gatehouse/messaging';
import { freePort } from '../harness/free-port.js';
import { createTestDatabase } from '../harness/postgres.js';
import { FormClient } from '../support/form-client.js';
import { scrape, type Scrape } from '../support/prometheus.js';
import { testLogger as logger } from '../support/silent-logger.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Issue 11 §1: /metrics on the Front End (behind the admin token) and on the Back End's health
 * port, scraped from real processes after real traffic.
 */

const ADMIN_TOKEN = `admin-${randomUUID()}`;
let stack: Stack;
let backEndMetrics: string;
let amqp: Connection;

beforeAll(async () => {
  const healthPort = await freePort();
  backEndMetrics = `http://127.0.0.1:${healthPort}/metrics`;
  // A read URL unlike the write URL (same database) gives the Back End its separate read pool.
  const databaseUrl = await createTestDatabase(inject('postgresUrl'));
  const readUrl = `${databaseUrl}${databaseUrl.includes('?') ? '&' : '?'}sslmode=disable`;
  stack = await startStack({ ADMIN_TOKEN }, { HEALTH_PORT: String(healthPort), DATABASE_URL: databaseUrl, DATABASE_READ_URL: readUrl });
  amqp = connectAmqp({ urls: [inject('amqpUrl')], name: 'metrics-test', logger });
});
afterAll(async () => {
  await amqp?.close();
  await stack?.stop();
});

const frontEnd = (url = stack.url) => scrape(`${url}/metrics`, ADMIN_TOKEN);
const count = (s: Scrape, name: string, labels: Record<string, string>) => s.value(name, labels) ?? 0;

describe('the Front End\'s /metrics', () => {
  it('refuses a request without the token, or with a wrong one (401)', async () => {
    const none = await fetch(`${stack.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrong = await fetch(`${stack.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}x` } });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('gatehouse_');
  });

  it('does not exist without ADMIN_TOKEN (404)', async () => {
    const other = await stack.addFrontEnd();
    expect((await fetch(`${other.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(404);
  });
});

describe('a registration moves the series of both tiers', () => {
  it('counts POST /register by route, REGISTER by action, its hash, its queries and the process', async () => {
    const [feBefore, beBefore] = [await frontEnd(), await scrape(backEndMetrics)];
    const client = new FormClient(stack.url);
    const page = await client.submit('/register', { email: `m-${randomUUID()}@example.com`, password: 'correct horse battery staple 42' });
    expect(page.status).toBe(303);
    const [fe, be] = [await frontEnd(), await scrape(backEndMetrics)];

    const route = { route: '/register', method: 'POST', status: '303' };
    expect(count(fe, 'gatehouse_http_request_duration_seconds_count', route)).toBe(count(feBefore, 'gatehouse_http_request_duration_seconds_count', route) + 1);
    const rpc = { action: 'REGISTER', outcome: 'reply' };
    expect(count(fe, 'gatehouse_rpc_duration_seconds_count', rpc)).toBe(count(feBefore, 'gatehouse_rpc_duration_seconds_count', rpc) + 1);
    expect(count(fe, 'gatehouse_hash_duration_seconds_count', { op: 'hash' })).toBeGreaterThan(count(feBefore, 'gatehouse_hash_duration_seconds_count', { op: 'hash' }));
    expect(count(fe, 'gatehouse_hash_duration_seconds_sum', { op: 'hash' })).toBeGreaterThan(0);
    expect(fe.value('gatehouse_hash_queue_length')).toBe(0);

    const action = { action: 'REGISTER', outcome: 'success' };
    expect(count(be, 'gatehouse_backend_requests_total', action)).toBe(count(beBefore, 'gatehouse_backend_requests_total', action) + 1);
    expect(count(be, 'gatehouse_backend_request_duration_seconds_count', { action: 'REGISTER' })).toBe(
      count(beBefore, 'gatehouse_backend_request_duration_seconds_count', { action: 'REGISTER' }) + 1,
    );
    const writes = { pool: 'read_write', outcome: 'ok' };
    expect(count(be, 'gatehouse_db_query_duration_seconds_count', writes)).toBeGreaterThan(count(beBefore, 'gatehouse_db_query_duration_seconds_count', writes));

    for (const s of [fe, be]) {
      expect(s.value('process_cpu_user_seconds_total')).toBeGreaterThan(0);
      expect(s.value('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    }
  });

  it("times reads on the read pool: the textbook's GETHASH (a SESSION_STORE=cookie login) reads the hash through it", async () => {
    // Our own login reads the hash on the primary, in LOGIN_ATTEMPT's statement; GETHASH reads a standby.
    const textbook = await stack.addFrontEnd({ ADMIN_TOKEN, SESSION_STORE: 'cookie' });
    const email = `r-${randomUUID()}@example.com`;
    const password = 'correct horse battery staple 42';
    await new FormClient(textbook.url).submit('/register', { email, password });
    const before = await scrape(backEndMetrics);
    expect((await new FormClient(textbook.url).submit('/login', { email, password })).status).toBe(303);
    const after = await scrape(backEndMetrics);
    const reads = { pool: 'read', outcome: 'ok' };
    expect(count(after, 'gatehouse_db_query_duration_seconds_count', reads)).toBeGreaterThan(count(before, 'gatehouse_db_query_duration_seconds_count', reads));
    expect(count(after, 'gatehouse_backend_requests_total', { action: 'GETHASH', outcome: 'success' })).toBeGreaterThan(
      count(before, 'gatehouse_backend_requests_total', { action: 'GETHASH', outcome: 'success' }),
    );
  });
});

it('labels unknown addresses with one route label, never the URL', async () => {
  const path = `/no-such-page-${randomUUID()}`;
  expect((await fetch(`${stack.url}${path}`)).status).toBe(404);
  const fe = await frontEnd();
  expect(fe.value('gatehouse_http_request_duration_seconds_count', { route: '(unmatched)', method: 'GET', status: '404' })).toBeGreaterThanOrEqual(1);
  expect(fe.text).not.toContain(path);
});

it('counts a request rejected into the dead letters, and the broker\'s dead-letter depth', async () => {
  const before = await scrape(backEndMetrics);
  const body = Buffer.from(JSON.stringify({ action: 'GETHASH', data: { email: 'x@example.com' } }));
  const channel = await amqp.acquire();
  await channel.basicPublish({ routingKey: stack.queue, replyTo: 'not-a-reply-queue', messageId: randomUUID() }, body);
  await channel.close();
  let after = before;
  for (let i = 0; i < 100 && count(after, 'gatehouse_dead_letter_messages', {}) < 1; i++) {
    await new Promise((r) => setTimeout(r, 100));
    after = await scrape(backEndMetrics);
  }
  expect(count(after, 'gatehouse_backend_dead_lettered_total', {})).toBe(count(before, 'gatehouse_backend_dead_lettered_total', {}) + 1);
  expect(count(after, 'gatehouse_dead_letter_messages', {})).toBe(count(before, 'gatehouse_dead_letter_messages', {}) + 1);
});

describe('RPC failures', () => {
  it('counts unavailable errors: a request nobody can route comes back', async () => {
    const lost = await stack.addFrontEnd({ ADMIN_TOKEN, REQUEST_QUEUE: `request.missing.${randomUUID()}` });
    const page = await new FormClient(lost.url).submit('/login', { email: 'u@example.com', password: 'correct horse battery staple 42' });
    expect(page.status).toBe(503);
    expect((await frontEnd(lost.url)).value('gatehouse_rpc_errors_total', { action: 'LOGIN_ATTEMPT', kind: 'unavailable' })).toBe(1);
  });

  it('counts timeouts: no Back End answers', async () => {
    const slow = await stack.addFrontEnd({ ADMIN_TOKEN, RPC_TIMEOUT_MS: '500' });
    await stack.backEnd.stop();
    const page = await new FormClient(slow.url).submit('/login', { email: 't@example.com', password: 'correct horse battery staple 42' });
    expect(page.status).toBe(503);
    expect((await frontEnd(slow.url)).value('gatehouse_rpc_errors_total', { action: 'LOGIN_ATTEMPT', kind: 'timeout' })).toBe(1);
  });
});
