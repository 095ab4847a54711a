import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fetch } from 'undici';
import postgres from 'postgres';
import { startPostgres, startStandby, type PostgresServer, type StandbyServer } from '../harness/postgres.js';
import { startStack, type Stack } from '../support/stack.js';

/**
 * Issue 11 §3: /status's database section from pg_stat_replication, with a real streaming
 * standby of a primary of this file's own.
 */
const ADMIN_TOKEN = `replication-${randomUUID()}`;
let primary: PostgresServer;
let standby: StandbyServer;
let stack: Stack;

interface DatabaseSection {
  source: string;
  primary?: string;
  nodes: { name: string; role: string; state?: string; lagBytes?: number | null }[];
  note?: string;
}

/** The database section of /status.json (reports are shared for 2 s, so callers ask `until`). */
async function database(): Promise<DatabaseSection> {
  const res = await fetch(`${stack.url}/status.json`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { backEnd: { status: { database: DatabaseSection } } }).backEnd.status.database;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; ; i++) {
    const value = await read();
    if (done(value) || i > 100) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  primary = await startPostgres({ name: 'replicated' });
  standby = await startStandby(primary);
  stack = await startStack({ ADMIN_TOKEN }, { DATABASE_URL: primary.url });
});
afterAll(async () => {
  await stack?.stop();
  await standby?.stop();
  await primary?.stop();
});

it('lists the streaming standby, and says PostgreSQL hides its details from a role without pg_read_all_stats', async () => {
  const db = await until(database, (d) => d.nodes.length > 1);
  expect(db.source).toBe('pg_stat_replication');
  expect(db.primary).toBe(`127.0.0.1:${primary.port}`);
  expect(db.nodes.map((n) => [n.name, n.role])).toEqual([[`127.0.0.1:${primary.port}`, 'primary'], [standby.name, 'standby']]);
  expect(db.note).toContain('pg_read_all_stats');
  expect(db.note).not.toContain('no standbys');
});

it('shows its state and lag once the Back End\'s role may read them', async () => {
  const admin = postgres({ host: primary.socketDir, port: primary.port, user: 'postgres', database: 'postgres', max: 1, onnotice: () => undefined });
  try {
    await admin`GRANT pg_read_all_stats TO gatehouse`;
  } finally {
    await admin.end({ timeout: 5 });
  }
  const db = await until(database, (d) => d.nodes[1]?.state === 'streaming');
  expect(db.nodes[1]).toMatchObject({ name: standby.name, role: 'standby', state: 'streaming', lagBytes: expect.any(Number) });
  expect(db.nodes[1]!.lagBytes).toBeGreaterThanOrEqual(0);
  expect(db.note ?? '').not.toContain('pg_read_all_stats');
});
