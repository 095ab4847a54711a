import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amqpUrls, clusterStatus, type Cluster } from '@gatehouse/cluster';
import { AmqpRpcClient, connectAmqp, type Connection } from '@gatehouse/messaging';
import type { Reply } from '@gatehouse/protocol';
import { FormClient } from '../support/form-client.js';
import { testLogger as logger } from '../support/silent-logger.js';
import { appUrl, byKind, cliOk, ensureWhole, openCluster, primaryOf, superuser, waitUntilWhole } from './cluster-helpers.js';
import { PASSWORD } from './load.js';

let cluster: Cluster;
let connection: Connection;
let rpc: AmqpRpcClient;

beforeAll(async () => {
  cluster = await openCluster();
  await waitUntilWhole(cluster);
  connection = connectAmqp({ urls: amqpUrls(cluster.plan, cluster.ctx.secrets, 'front-end').split(','), name: 'failover-test', logger });
  rpc = new AmqpRpcClient({ connection, queue: 'request', mode: 'quorum', timeoutMs: 8000, logger });
});

afterAll(async () => {
  await rpc?.close();
  await connection?.close();
});

async function register(email: string): Promise<number> {
  return (await new FormClient(appUrl(cluster)).submit('/register', { email, password: PASSWORD })).status;
}

/**
 * Every 100 ms, asks each node at once whether it is in recovery; an answer is false for a
 * primary, null when the node did not answer within a second. Ticks do not wait for each other.
 */
function recoveryProbe() {
  const nodes = cluster.plan.ports.postgres.map((p) => superuser(cluster, p.sql, 'postgres'));
  const ask = (sql: (typeof nodes)[number]) =>
    Promise.race([sql<{ r: boolean }[]>`SELECT pg_is_in_recovery() AS r`.then((rows) => rows[0]!.r), sleep(1000).then(() => null)]).catch(() => null);
  const ticks: Promise<(boolean | null)[]>[] = [];
  const timer = setInterval(() => ticks.push(Promise.all(nodes.map(ask))), 100);
  return {
    latest: () => ticks.at(-2),
    async stop() {
      clearInterval(timer);
      const samples = await Promise.all(ticks);
      await Promise.all(nodes.map((sql) => sql.end({ timeout: 1 })));
      return samples;
    },
  };
}

describe('failover', () => {
  it('kill -9 of the primary: never two primaries, reads keep working, and the old primary rejoins as a standby', async () => {
    const email = `failover-${randomUUID()}@example.com`;
    expect(await register(email)).toBe(303);
    const names = cluster.plan.ports.postgres.map((_, i) => `pg${i + 1}`);
    const [old] = primaryOf(await clusterStatus(cluster.ctx));
    const probe = recoveryProbe();
    const failedReads: string[] = [];
    let reads = 0;
    let running = true;
    const reading = (async () => {
      for (; running; reads++) {
        const reply: Reply = await rpc.call({ action: 'GETHASH', data: { email } }).catch((err: Error) => ({ success: false, message: err.message }));
        if (!reply.success || typeof reply.hash !== 'string') failedReads.push(`${new Date().toISOString()} ${JSON.stringify(reply)}`);
        await sleep(200);
      }
    })();
    let samples: (boolean | null)[][] = [];
    try {
      await cliOk('kill', old!.name);
      const newPrimary = async () => (await probe.latest())?.some((inRecovery, i) => inRecovery === false && names[i] !== old!.name);
      for (let waited = 0; !(await newPrimary()) && waited < 60_000; waited += 100) await sleep(100);
      await sleep(3000);
    } finally {
      running = false;
      await reading;
      samples = await probe.stop();
      await cliOk('start', old!.name);
    }
    const primariesAtOnce = samples.map((s) => s.filter((inRecovery) => inRecovery === false).length);
    console.log(`[failover] ${samples.length} samples, 100 ms apart; most primaries at one moment: ${Math.max(...primariesAtOnce)}; ${reads} reads, ${failedReads.length} failed`);
    expect(Math.max(...primariesAtOnce)).toBe(1);
    expect(samples.some((s) => s.some((inRecovery, i) => inRecovery === false && names[i] !== old!.name))).toBe(true);
    expect(reads).toBeGreaterThan(5);
    expect(failedReads).toEqual([]);
    const whole = await waitUntilWhole(cluster);
    expect(byKind(whole, 'postgres').find((n) => n.name === old!.name)).toMatchObject({ role: 'replica', state: 'running' });
  });

  it('read-your-writes: 200 times in a row, register or log in and open /secret at once, never bounced to /login', async () => {
    const bounced: string[] = [];
    let email = '';
    for (let i = 0; i < 200; i++) {
      const client = new FormClient(appUrl(cluster));
      const registering = i % 2 === 0;
      if (registering) email = `ryw-${randomUUID()}@example.com`;
      const answer = await client.submit(registering ? '/register' : '/login', { email, password: PASSWORD });
      const secret = await client.get('/secret');
      if (answer.status !== 303 || secret.status !== 200) bounced.push(`${i}: ${answer.status} then /secret ${secret.status} ${secret.location ?? ''}`);
    }
    expect(bounced).toEqual([]);
  });
});
