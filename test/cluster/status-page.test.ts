import { expect, it } from 'vitest';
import { appUrl, byKind, cliOk, openCluster, primaryOf, waitUntilWhole } from './cluster-helpers.js';

/**
 * /status on the local cluster (issue 11 §3): what it shows is what Patroni and RabbitMQ
 * report, checked against the cluster tool's own reading of the same processes.
 */
interface Report {
  transport: string;
  tiers: { name: string; health: string; replicas: unknown[] }[];
  backEnd: {
    ok: boolean;
    status?: { database: { source: string; primary?: string; nodes: { name: string; role: string; lagBytes?: number | null }[]; infrastructure?: { name: string; kind: string; role: string; state: string; facts?: string[] }[] } };
  };
  broker: { available: boolean; nodes?: { name: string }[]; queue?: { consumers: number; leader?: string }; frontEnds?: unknown[]; backEnds?: unknown[] };
}

it('/status.json shows the Patroni primary and streaming standbys, the three broker nodes and every replica', async () => {
  await cliOk('up'); // whatever an earlier file left stopped
  const cluster = await openCluster();
  const whole = await waitUntilWhole(cluster);
  const url = `${appUrl(cluster)}/status.json`;
  expect((await fetch(url)).status).toBe(401);

  const report = await reportListing(url, cluster.ctx.secrets.adminToken, byKind(whole, 'front-end').length + byKind(whole, 'back-end').length);
  expect(report.transport).toBe('amqp');

  const database = report.backEnd.status?.database;
  expect(database?.source).toBe('patroni');
  expect(database?.nodes).toHaveLength(byKind(whole, 'postgres').length);
  expect(database?.primary).toBe(primaryOf(whole)[0]?.name);
  const standbys = database?.nodes.filter((n) => n.name !== database.primary) ?? [];
  expect(standbys.length).toBeGreaterThan(0);
  for (const standby of standbys) expect(typeof standby.lagBytes).toBe('number');

  expect(report.broker.available).toBe(true);
  expect(report.broker.nodes).toHaveLength(byKind(whole, 'rabbitmq').length);
  expect(report.broker.queue?.consumers).toBe(byKind(whole, 'back-end').length);
  expect(report.broker.queue?.leader).toBeTruthy();
  expect(report.broker.frontEnds).toHaveLength(byKind(whole, 'front-end').length);
  expect(report.broker.backEnds).toHaveLength(byKind(whole, 'back-end').length);

  // etcd and HAProxy (issue 21): every member with one leader, and HAProxy sending the writes to the primary.
  const infrastructure = database?.infrastructure ?? [];
  expect(infrastructure.filter((n) => n.kind === 'etcd').map((n) => [n.name, n.state])).toEqual(byKind(whole, 'etcd').map((n) => [n.name, 'running']));
  expect(infrastructure.filter((n) => n.kind === 'etcd' && n.role === 'leader')).toHaveLength(1);
  expect(infrastructure.find((n) => n.kind === 'haproxy')?.facts).toContain(`writes → ${primaryOf(whole)[0]?.name}`);

  const replicas = Object.fromEntries(report.tiers.map((t) => [t.name, t.replicas.length]));
  expect(replicas['Front End']).toBe(byKind(whole, 'front-end').length);
  expect(replicas['Back End']).toBe(byKind(whole, 'back-end').length);
  expect(replicas['Database support']).toBe(byKind(whole, 'etcd').length + 1);
  expect(report.tiers.filter((t) => t.health !== 'ok').map((t) => t.name)).toEqual([]);
});

/**
 * /status.json once the broker lists that many app connections: the management API counts
 * them from statistics it refreshes every 5 s, so a process that reconnected a moment ago
 * (after an earlier file's restarts) may not be listed yet. The last report after 30 s otherwise.
 */
async function reportListing(url: string, token: string, connections: number): Promise<Report> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const report = (await res.json()) as Report;
    const listed = (report.broker.frontEnds?.length ?? 0) + (report.broker.backEnds?.length ?? 0);
    if (listed === connections || Date.now() > deadline) return report;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
