import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { answers } from '../http.js';
import { logFile, nodeDir, REPLICAS, type ClusterPlan, type NodeSpec } from '../plan.js';
import { spawnDetached, waitUntil } from '../processes.js';
import { HOST, type ClusterContext, type NodeDriver } from './context.js';
import { singleProcess } from './simple-process.js';

export const ETCD = '/usr/bin/etcd';
export const etcdName = (i: number) => `etcd${i + 1}`;
const peerUrl = (plan: ClusterPlan, i: number) => `http://${HOST}:${plan.ports.etcd[i]!.peer}`;
export const etcdClientUrl = (plan: ClusterPlan, i: number) => `http://${HOST}:${plan.ports.etcd[i]!.client}`;

/** The DCS: three members, so it survives the loss of one. */
export const etcd: NodeDriver = {
  async start(ctx: ClusterContext, node: NodeSpec) {
    const { plan } = ctx;
    const dir = nodeDir(plan, node.name);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const members = Array.from({ length: REPLICAS }, (_, i) => `${etcdName(i)}=${peerUrl(plan, i)}`).join(',');
    // The initial-cluster flags only matter on the first start; later starts read the data folder.
    const args = [
      '--name', node.name,
      '--data-dir', join(dir, 'data'),
      '--listen-client-urls', etcdClientUrl(plan, node.index),
      '--advertise-client-urls', etcdClientUrl(plan, node.index),
      '--listen-peer-urls', peerUrl(plan, node.index),
      '--initial-advertise-peer-urls', peerUrl(plan, node.index),
      '--initial-cluster', members,
      '--initial-cluster-state', 'new',
      '--initial-cluster-token', `gatehouse-${plan.id}`,
      '--enable-v2=true', // Patroni uses the v2 API: see patroni-config.ts
    ];
    const log = logFile(plan, node.name);
    const record = spawnDetached(ETCD, args, { env: { PATH: '/usr/bin:/bin', HOME: dir }, cwd: dir, logFile: log });
    ctx.processes.set(node.name, record);
    // /health is true once this member is part of a cluster with a quorum.
    await waitUntil(`${node.name} did not become healthy`, () => answers(`${etcdClientUrl(plan, node.index)}/health`), {
      timeoutMs: 60_000,
      process: record,
      logFile: log,
    });
  },
  ...singleProcess,
};
