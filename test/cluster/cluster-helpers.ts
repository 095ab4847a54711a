import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { inject } from 'vitest';
import { join } from 'node:path';
import { amqpUrls, Cluster, clusterStatus, type ClusterStatus, type NodeStatus } from '@gatehouse/cluster';
import { tail } from '@gatehouse/processes';
import { connectAmqp, deadLetterCount } from '@gatehouse/messaging';
import { FormClient } from '../support/form-client.js';
import { REPO_ROOT } from '../support/service-process.js';
import { PASSWORD } from './load.js';
import { testLogger as silent } from '../support/silent-logger.js';

export const clusterDir = () => inject('clusterDir');
export const openCluster = () => Cluster.open(clusterDir());
export const appUrl = (cluster: Cluster) => `http://127.0.0.1:${cluster.plan.ports.app}`;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run cluster -- <args> --data-dir <the test cluster>`, as a user would run it. */
export function cli(...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=gatehouse-source', '--import', 'tsx', 'tools/cluster/src/main.ts', ...args, '--data-dir', clusterDir()],
      { cwd: REPO_ROOT, timeout: 240_000, env: { PATH: process.env.PATH, HOME: process.env.HOME } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

export async function cliOk(...args: string[]): Promise<string> {
  const result = await cli(...args);
  if (result.code !== 0) throw new Error(`cluster ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** Messages in the request queue's dead letters, read as a Back End would (its user may). */
export async function deadLetterDepth(cluster: Cluster): Promise<number> {
  const urls = amqpUrls(cluster.ctx.plan, cluster.ctx.secrets, 'back-end').split(',');
  const connection = connectAmqp({ urls, name: 'chaos-dead-letters', logger: silent });
  try {
    return await deadLetterCount(connection, cluster.ctx.settings.REQUEST_QUEUE ?? 'request');
  } finally {
    await connection.close();
  }
}

export const byKind = (status: ClusterStatus, kind: NodeStatus['kind']) => status.nodes.filter((n) => n.kind === kind);
export const primaryOf = (status: ClusterStatus) => byKind(status, 'postgres').filter((n) => n.role === 'primary');

/** What is wrong with the cluster, or [] when every node runs, one primary leads and the standbys stream. */
export function problems(status: ClusterStatus): string[] {
  const found = status.nodes.filter((n) => n.state !== 'running').map((n) => `${n.name} is ${n.state}`);
  const primaries = primaryOf(status).length;
  if (primaries !== 1) found.push(`${primaries} primaries`);
  for (const r of byKind(status, 'postgres').filter((n) => n.role === 'replica' && typeof n.lagBytes !== 'number')) found.push(`${r.name} is not streaming`);
  const leader = byKind(status, 'rabbitmq').find((n) => n.role === 'leader');
  if (!leader) found.push('the request queue has no leader');
  else if (leader.consumers !== 3) found.push(`the request queue has ${leader.consumers} consumers`);
  return found;
}

/** Whether the load balancer sends the app's requests to a ready Front End yet (its health checks lag a start by a moment). */
async function servedThroughLoadBalancer(cluster: Cluster): Promise<boolean> {
  const res = await fetch(`${appUrl(cluster)}/readyz`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
  return res?.status === 200;
}

/** Waits until `problems` finds nothing and the load balancer serves the app; fails with what is still wrong. */
export async function waitUntilWhole(cluster: Cluster, timeoutMs = 120_000): Promise<ClusterStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await clusterStatus(cluster.ctx);
    const wrong = problems(status);
    if (wrong.length === 0 && !(await servedThroughLoadBalancer(cluster))) wrong.push('the load balancer has no ready Front End yet');
    if (wrong.length === 0) return status;
    if (Date.now() > deadline) throw new Error(`the cluster is not whole: ${wrong.join('; ')}${await stoppedLogs(cluster, status)}`);
    await sleep(1000);
  }
}

/** The last lines each stopped node wrote: the suite removes the cluster's folder, so a crash must be told here. */
async function stoppedLogs(cluster: Cluster, status: ClusterStatus): Promise<string> {
  const stopped = status.nodes.filter((n) => n.state === 'stopped');
  const logs = await Promise.all(
    stopped.map(async (n) => `\n--- the end of ${n.name}'s log ---\n${await tail(join(cluster.plan.dataDir, 'logs', `${n.name}.log`), 30)}`),
  );
  return logs.join('');
}

/** Starts whatever an earlier test left stopped, then waits until the cluster is whole. */
export async function ensureWhole(cluster: Cluster): Promise<ClusterStatus> {
  await cliOk('up');
  return waitUntilWhole(cluster);
}

/** A superuser connection to one PostgreSQL port (a node's own, or HAProxy's). */
export function superuser(cluster: Cluster, port: number, database = 'gatehouse') {
  return postgres({
    host: '127.0.0.1', port, database, user: 'postgres', password: cluster.ctx.secrets.postgresSuperuser,
    max: 1, connect_timeout: 2, idle_timeout: 5, onnotice: () => undefined,
  });
}

/** Emails that the users table holds more than once, and acknowledged ones it lacks. */
export async function storedProblems(cluster: Cluster, acknowledged: string[]): Promise<{ duplicates: number; missing: string[] }> {
  const sql = superuser(cluster, cluster.plan.ports.dbReadWrite);
  try {
    const dup = await sql`SELECT lower(email) FROM users GROUP BY lower(email) HAVING count(*) > 1`;
    const found = await sql<{ e: string }[]>`SELECT lower(email) AS e FROM users WHERE lower(email) = ANY(${acknowledged})`;
    const have = new Set(found.map((r) => r.e));
    return { duplicates: dup.length, missing: acknowledged.filter((e) => !have.has(e.toLowerCase())) };
  } finally {
    await sql.end();
  }
}

/** Logs in with each email through the load balancer at appUrl; returns those that did not get a 303. */
export async function failedLogins(appUrl: string, emails: string[], parallel = 6): Promise<string[]> {
  const failed: string[] = [];
  const queue = [...emails];
  const worker = async () => {
    for (let email = queue.pop(); email; email = queue.pop()) {
      const login = () => new FormClient(appUrl).submit('/login', { email, password: PASSWORD }).catch(() => undefined);
      // A connection cut on the way (no answer at all) says nothing about the account: ask once more.
      const page = (await login()) ?? (await login());
      if (page?.status !== 303) failed.push(`${email} (${page?.status ?? 'no answer'})`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return failed;
}
