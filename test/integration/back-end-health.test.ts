import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { freePort } from '../harness/free-port.js';
import { createTestDatabase } from '../harness/postgres.js';
import { spawnService, type ServiceProcess } from '../support/service-process.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

// The Back End reaches PostgreSQL through a proxy the test can cut, as a network outage would.
let proxy: TcpProxy;
let backEnd: ServiceProcess;
let health: string;

interface Probe {
  status: number;
  body: { status?: string; reason?: string };
}

async function probe(path: '/healthz' | '/readyz'): Promise<Probe> {
  const res = await fetch(`${health}${path}`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as Probe['body'] };
}

/** Polls /readyz until it answers `status` (readiness is cached for a moment), checking /healthz each time. */
async function readyzBecomes(status: number, timeoutMs = 30_000): Promise<Probe> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    expect((await probe('/healthz')).status).toBe(200);
    const ready = await probe('/readyz');
    if (ready.status === status) return ready;
    if (Date.now() > deadline) throw new Error(`/readyz stayed ${ready.status} ${JSON.stringify(ready.body)}:\n${backEnd.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  const databaseUrl = new URL(await createTestDatabase(inject('postgresUrl')));
  proxy = await startTcpProxy(Number(databaseUrl.port), { listening: false });
  databaseUrl.port = String(proxy.port);
  const port = await freePort();
  health = `http://127.0.0.1:${port}`;
  backEnd = spawnService('services/back-end/src/main.ts', {
    AMQP_URL: inject('amqpUrl'),
    DATABASE_URL: databaseUrl.toString(),
    REQUEST_QUEUE: `request.${randomUUID()}`,
    HEALTH_PORT: String(port),
  });
});

afterAll(async () => {
  await backEnd?.stop('SIGKILL');
  await proxy?.close();
});

it('is live while it waits for the database, but not ready until it consumes', async () => {
  await backEnd.waitFor(/Waiting \d+s/);
  expect(await probe('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
  expect(await probe('/readyz')).toEqual({ status: 503, body: { status: 'not ready', reason: 'not consuming the request queue' } });

  await proxy.restore();
  await backEnd.waitFor(/Starting consumption/);
  expect((await readyzBecomes(200)).body).toEqual({ status: 'ready' });
});

it('is not ready while the primary is unreachable, and ready again once it is back', async () => {
  await proxy.cut();
  const down = await readyzBecomes(503);
  expect(down.body).toEqual({ status: 'not ready', reason: expect.stringMatching(/^the primary database /) });

  await proxy.restore();
  expect((await readyzBecomes(200)).body).toEqual({ status: 'ready' });
});

it('answers 404 to other paths and exits 0 on SIGTERM', async () => {
  expect((await fetch(`${health}/`)).status).toBe(404);
  expect(await backEnd.stop('SIGTERM')).toBe(0);
  await expect(fetch(`${health}/healthz`)).rejects.toThrow();
});
