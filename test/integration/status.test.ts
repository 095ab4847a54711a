import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fetch } from 'undici';
import { MONITOR_BROKER_TAGS, monitorPermissions } from '@gatehouse/operations';
import { FormClient } from '../support/form-client.js';
import { createBrokerUser, deleteBrokerUser } from '../support/rabbit-management.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Issue 11 §3: /status and /status.json on real processes: the token rules, and that the
 * picture is what the broker, PostgreSQL and the services report.
 */

const ADMIN_TOKEN = `status-${randomUUID()}`;
const monitor = { user: `monitor-${randomBytes(4).toString('hex')}`, password: randomBytes(18).toString('base64url') };
const PASSWORD = 'correct horse battery staple 42';
let stack: Stack;

interface Report {
  transport: string;
  tiers: { name: string; health: string; replicas: { id: string; health: string }[]; note?: string }[];
  backEnd: { ok: boolean; status?: { database: { source: string; primary?: string; nodes: { role: string }[]; note?: string }; authEvents: { event: string; email: string }[] } };
  broker: { available: boolean; reason?: string; queue?: { name: string; consumers: number; messages: number; leader?: string }; backEnds?: { consumers?: number }[]; frontEnds?: unknown[]; nodes?: { running: boolean }[] };
  traffic: { requests: number }[];
  sections: { id: string; rows: string[][] }[];
}

beforeAll(async () => {
  // The monitoring user exactly as the deployments create it (packages/operations).
  await createBrokerUser(monitor.user, monitor.password, monitorPermissions(), MONITOR_BROKER_TAGS);
  stack = await startStack({
    ADMIN_TOKEN,
    RABBITMQ_MANAGEMENT_URL: `http://127.0.0.1:${inject('amqpManagementPort')}`,
    RABBITMQ_MONITOR_USER: monitor.user,
    RABBITMQ_MONITOR_PASSWORD: monitor.password,
  });
});
afterAll(async () => {
  await stack?.stop();
  await deleteBrokerUser(monitor.user);
});

const bearer = (token = ADMIN_TOKEN) => ({ authorization: `Bearer ${token}` });
async function report(url = stack.url): Promise<Report> {
  const res = await fetch(`${url}/status.json`, { headers: bearer() });
  expect(res.status).toBe(200);
  return (await res.json()) as Report;
}
/**
 * A report made after `after` (reports are shared for 2 s between viewers) in which the broker
 * lists a Back End's and a Front End's connection and the request queue's consumer: the
 * management API shows them once its statistics (every 5 s) have caught up.
 */
async function freshReport(after: string): Promise<Report> {
  for (let i = 0; ; i++) {
    const r = (await report()) as Report & { generatedAt: string };
    const listsBoth = (r.broker.backEnds?.length ?? 0) > 0 && (r.broker.frontEnds?.length ?? 0) > 0
      && (r.broker.queue?.consumers ?? 0) > 0 && (r.broker.backEnds ?? []).some((b) => (b.consumers ?? 0) > 0);
    if (r.generatedAt > after && listsBoth) return r;
    if (i > 120) throw new Error(`no fresh report listing a Back End and a Front End: ${JSON.stringify(r.broker)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('who may see it', () => {
  it('is absent (404) when ADMIN_TOKEN is unset', async () => {
    const other = await stack.addFrontEnd();
    for (const path of ['/status', '/status.json']) expect((await fetch(`${other.url}${path}`, { headers: bearer() })).status).toBe(404);
  });

  it('refuses /status.json without the token and with a wrong one (401)', async () => {
    expect((await fetch(`${stack.url}/status.json`)).status).toBe(401);
    const wrong = await fetch(`${stack.url}/status.json`, { headers: bearer(`${ADMIN_TOKEN}-nope`) });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('tiers');
  });

  it('answers /status with the token form (401) to a stranger, and the page to the Bearer token', async () => {
    const stranger = await fetch(`${stack.url}/status`);
    expect(stranger.status).toBe(401);
    const html = await stranger.text();
    expect(html).toContain('name="token"');
    expect(html).not.toContain('Tiers and replicas');
    const page = await fetch(`${stack.url}/status`, { headers: bearer() });
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain('Tiers and replicas');
    expect(body).toContain('<script src="/status.js"');
    expect(body).toMatch(/<meta http-equiv="refresh" content="\d+">/);
  });

  it('lets the form set an admin cookie (HttpOnly, SameSite=Strict, not the token), refusing a wrong token and a missing CSRF token', async () => {
    const browser = new FormClient(stack.url);
    expect((await browser.submit('/status', { token: 'wrong-token-wrong-token-wrong' })).status).toBe(401);
    expect((await browser.post('/status', { token: ADMIN_TOKEN })).status).toBe(403);
    const ok = await browser.submit('/status', { token: ADMIN_TOKEN });
    expect(ok.status).toBe(303);
    expect(ok.location).toBe('/status');
    const cookie = ok.setCookies.find((c) => c.startsWith('admin='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).not.toContain(ADMIN_TOKEN);
    const page = await browser.get('/status');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Tiers and replicas');
    expect((await browser.get('/status.json')).status).toBe(200);
  });

  it('rate-limits the form: token guesses beyond ten a minute get 429', async () => {
    const other = await stack.addFrontEnd({ ADMIN_TOKEN });
    const guesser = new FormClient(other.url);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await guesser.submit('/status', { token: `guess-${i}-${randomUUID()}` })).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses[10]).toBe(429);
  });
});

describe('what it shows', () => {
  it('reflects a registration: the queue\'s consumers are the Back End\'s, requests counted, the auth event listed', async () => {
    const before = await report();
    const email = `status-${randomUUID()}@example.com`;
    expect((await new FormClient(stack.url).submit('/register', { email, password: PASSWORD })).status).toBe(303);
    const after = await freshReport((before as Report & { generatedAt: string }).generatedAt);

    expect(after.transport).toBe('amqp');
    expect(after.broker.available).toBe(true);
    expect(after.broker.queue?.name).toBe(stack.queue);
    expect(after.broker.queue?.consumers).toBeGreaterThanOrEqual(1);
    const backEndConsumers = (after.broker.backEnds ?? []).reduce((sum, b) => sum + (b.consumers ?? 0), 0);
    expect(after.broker.queue?.consumers).toBe(backEndConsumers);
    expect(after.broker.nodes?.every((n) => n.running)).toBe(true);
    expect(after.broker.queue?.leader).toMatch(/@/);

    const sum = (r: Report) => r.traffic.reduce((n, m) => n + m.requests, 0);
    expect(sum(after)).toBeGreaterThanOrEqual(sum(before) + 2); // GET /register, POST /register

    const masked = `${email[0]}***@example.com`;
    expect(after.backEnd.ok).toBe(true);
    // Newest first: the registration's verification request, then the registration itself.
    expect(after.backEnd.status!.authEvents.slice(0, 2)).toContainEqual(expect.objectContaining({ event: 'register', email: masked }));
    expect(JSON.stringify(after)).not.toContain(email);
    expect(after.sections.find((s) => s.id === 'events')!.rows[0]).toContain(masked);
  });

  it('reads the database from pg_stat_replication and says there are no standbys', async () => {
    const { backEnd } = await report();
    expect(backEnd.status!.database.source).toBe('pg_stat_replication');
    expect(backEnd.status!.database.nodes.map((n) => n.role)).toEqual(['primary']);
    expect(backEnd.status!.database.primary).toMatch(/:\d+$/);
    expect(backEnd.status!.database.note).toContain('no standbys');
  });

  it('lists every tier with replicas from the broker\'s connections', async () => {
    const { tiers } = await freshReport('');
    expect(tiers.map((t) => t.name)).toEqual(['Front End', 'Back End', 'Messaging', 'Database']);
    const backEnds = tiers.find((t) => t.name === 'Back End')!;
    expect(backEnds.replicas).toHaveLength(1);
    expect(backEnds.health).toBe('ok');
    expect(tiers.find((t) => t.name === 'Front End')!.replicas.length).toBeGreaterThanOrEqual(1);
  });

  it('draws the picture the page\'s script swaps in (/status/live): this Front End and the queue\'s leader marked, the hour charted', async () => {
    expect((await fetch(`${stack.url}/status/live`)).status).toBe(401);
    await freshReport('');
    const res = await fetch(`${stack.url}/status/live`, { headers: bearer() });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain('<html');
    // Each mark twice: in the wide drawing and in the narrow one (CSS shows one of them).
    const marked = (mark: string) => [...html.matchAll(new RegExp(`data-id="([^"]+)" data-marks="${mark}"`, 'g'))].map((m) => m[1]);
    expect(marked('this one')).toHaveLength(2);
    expect(marked('this one')[0]).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(marked('leads the request queue')).toHaveLength(2);
    expect(marked('primary')).toHaveLength(2);
    expect(html.match(/<svg class="chart /g)).toHaveLength(6);
  });

  it('says why the broker section is unavailable when the management API is not configured', async () => {
    const other = await stack.addFrontEnd({ ADMIN_TOKEN });
    const r = await report(other.url);
    expect(r.broker).toEqual({ available: false, reason: expect.stringContaining('RABBITMQ_MANAGEMENT_URL') });
    expect(r.sections.find((s) => s.id === 'broker')).toMatchObject({ rows: [] });
    expect(r.backEnd.ok).toBe(true); // the Back End still answers over the bus
  });
});
