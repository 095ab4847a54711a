import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processTree } from '@gatehouse/processes';
import { freePorts } from '../test/harness/free-port.js';
import { createTestDatabase, startPostgres } from '../test/harness/postgres.js';
import { startRabbit } from '../test/harness/rabbitmq.js';
import { spawnLogged, waitForOk } from './services.js';
import { LOAD_SETTINGS, variantOf, variantSettings, type Target } from './target.js';
import { readFileSync } from 'node:fs';

const SESSION_SECRET = 'bench-session-secret-of-at-least-32-characters';

/** The harness's PostgreSQL and RabbitMQ, one Back End and one Front End, as separate processes. */
export async function startHarnessTarget(): Promise<Target> {
  const logDir = await mkdtemp(join(tmpdir(), 'gatehouse-bench-'));
  const [pg, rabbit] = await Promise.all([startPostgres({ name: 'bench' }), startRabbit({ name: 'bench' })]);
  const stops: (() => Promise<void>)[] = [() => pg.stop(), () => rabbit.stop()];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err) => console.error(`bench: stopping: ${(err as Error).message}`));
    await rm(logDir, { recursive: true, force: true });
  };
  try {
    const databaseUrl = await createTestDatabase(pg.url);
    const queue = `request.bench.${randomUUID().slice(0, 8)}`;
    const [frontPort, healthPort] = (await freePorts(2)) as [number, number];
    const passed = variantSettings(process.env);
    const backEnd = spawnLogged('services/back-end/src/main.ts', {
      ...LOAD_SETTINGS, AMQP_URL: rabbit.url, DATABASE_URL: databaseUrl, REQUEST_QUEUE: queue, HEALTH_PORT: String(healthPort), ...passed,
    }, logDir, 'back-end');
    stops.push(() => backEnd.stop());
    await waitForOk(`http://127.0.0.1:${healthPort}/readyz`, backEnd);
    const frontEnd = spawnLogged('services/front-end/src/main.ts', {
      ...LOAD_SETTINGS, PORT: String(frontPort), AMQP_URL: rabbit.url, REQUEST_QUEUE: queue, SESSION_SECRET, ...passed,
    }, logDir, 'front-end');
    stops.push(() => frontEnd.stop());
    const url = `http://127.0.0.1:${frontPort}`;
    await waitForOk(`${url}/readyz`, frontEnd);
    return {
      kind: 'harness',
      url,
      amqpUrls: [rabbit.url],
      queue,
      databaseUrl,
      tiers: {
        frontEnd: () => [frontEnd.pid],
        backEnd: () => [backEnd.pid],
        rabbitmq: () => beamOf(process.pid),
        postgres: () => [pg.pid],
      },
      settings: { ...LOAD_SETTINGS, ...passed },
      variant: variantOf(passed),
      describe: 'test harness: 1 Front End, 1 Back End, 1 RabbitMQ node, 1 PostgreSQL, all on this machine',
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The harness's Erlang VM: the beam.smp among this process's descendants. */
function beamOf(root: number): number[] {
  return processTree([root]).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('beam');
    } catch {
      return false;
    }
  });
}
