import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processTree } from '@gatehouse/processes';
import { freePorts } from '../test/harness/free-port.js';
import { createTestDatabase, startPostgres } from '../test/harness/postgres.js';
import { startRabbit } from '../test/harness/rabbitmq.js';
import { startRabbitContainer } from './rabbitmq-container.js';
import { spawnLogged, waitForOk } from './services.js';
import { LOAD_SETTINGS, variantOf, variantSettings, type Target } from './target.js';
import { readFileSync } from 'node:fs';

const SESSION_SECRET = 'bench-session-secret-of-at-least-32-characters';

interface Broker {
  url: string;
  describe: string;
  pids(): number[];
  stop(): Promise<void>;
}

/** This machine's rabbitmq-server as the test harness runs it, or a container of `image`. */
async function startBroker(image: string | undefined): Promise<Broker> {
  if (!image) {
    const rabbit = await startRabbit({ name: 'bench' });
    return { url: rabbit.url, describe: '1 RabbitMQ node', pids: () => beamOf(process.pid), stop: () => rabbit.stop() };
  }
  const container = await startRabbitContainer(image);
  return { url: container.url, describe: `1 ${container.version} node (${image}, a container on the host network)`, pids: () => beamOf(container.pid), stop: container.stop };
}

/** The harness's PostgreSQL and RabbitMQ, one Back End and one Front End, as separate processes. */
export async function startHarnessTarget(options: { rabbitmqImage?: string | undefined } = {}): Promise<Target> {
  const logDir = await mkdtemp(join(tmpdir(), 'gatehouse-bench-'));
  const [pgStarted, brokerStarted] = await Promise.allSettled([startPostgres({ name: 'bench' }), startBroker(options.rabbitmqImage)]);
  if (pgStarted.status === 'rejected' || brokerStarted.status === 'rejected') {
    // Whichever did start is stopped again before the other's error is reported.
    if (pgStarted.status === 'fulfilled') await pgStarted.value.stop();
    if (brokerStarted.status === 'fulfilled') await brokerStarted.value.stop();
    await rm(logDir, { recursive: true, force: true });
    throw pgStarted.status === 'rejected' ? pgStarted.reason : (brokerStarted as PromiseRejectedResult).reason;
  }
  const [pg, rabbit] = [pgStarted.value, brokerStarted.value];
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
        rabbitmq: () => rabbit.pids(),
        postgres: () => [pg.pid],
      },
      settings: { ...LOAD_SETTINGS, ...passed },
      variant: variantOf(passed),
      describe: `test harness: 1 Front End, 1 Back End, ${rabbit.describe}, 1 PostgreSQL, all on this machine`,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The Erlang VM among `root`'s descendants: this process's (the harness's node), or a container's. */
function beamOf(root: number): number[] {
  return processTree([root]).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('beam');
    } catch {
      return false;
    }
  });
}
