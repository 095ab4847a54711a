import { Cluster, clusterStatus, type NodeKind } from '@gatehouse/cluster';
import { APP_DATABASE, DB_ROLES } from '@gatehouse/operations';
import { LOAD_SETTINGS, variantOf, variantSettings, type Target } from './target.js';

// tools/cluster's RabbitMQ administrator (not exported): it may declare the echo's queue.
const RABBIT_ADMIN = 'admin';
const TIER_OF: Partial<Record<NodeKind, string>> = {
  'front-end': 'frontEnd', 'back-end': 'backEnd', rabbitmq: 'rabbitmq', postgres: 'postgres', haproxy: 'haproxy', etcd: 'etcd',
};

/**
 * The local cluster (npm run cluster) in GATEHOUSE_CLUSTER_DIR, CLUSTER_DATA_DIR or data/cluster,
 * started with the load settings if it is not running, and then stopped again (data kept); a
 * cluster that was already running is left running.
 */
export async function startClusterTarget(say: (line: string) => void): Promise<Target> {
  const dataDir = process.env.GATEHOUSE_CLUSTER_DIR ?? process.env.CLUSTER_DATA_DIR ?? 'data/cluster';
  const cluster = await Cluster.openOrCreate(dataDir, { ...process.env, ...LOAD_SETTINGS });
  const wasRunning = (await cluster.missing()).length === 0;
  if (!wasRunning) {
    say(`starting the cluster in ${dataDir} (minutes the first time)...`);
    await cluster.up((line) => say(`cluster: ${line}`));
  }
  const { plan, secrets, settings } = cluster.ctx;
  // Settings apply when a node starts: a cluster already running may still have its limits on.
  const limit = Number(settings.RATE_LIMIT_PER_MINUTE ?? 20);
  if (limit < Number(LOAD_SETTINGS.RATE_LIMIT_PER_MINUTE)) {
    say(`warning: the cluster's Front Ends run with RATE_LIMIT_PER_MINUTE=${limit}; restart them with the load settings (RATE_LIMIT_PER_MINUTE=100000 npm run cluster -- stop/start front-end1...)`);
  }
  const status = await clusterStatus(cluster.ctx);
  // PIDs (Patroni and postmaster, the VM and its script, …) read once: process trees are summed from them.
  const tiers: Record<string, number[]> = {};
  for (const node of status.nodes) (tiers[TIER_OF[node.kind] ?? node.kind] ??= []).push(...node.pids);
  const running = (kind: NodeKind) => status.nodes.filter((n) => n.kind === kind && n.state === 'running').length;
  return {
    kind: 'cluster',
    url: status.app.replace(/\/$/, ''),
    amqpUrls: plan.ports.rabbitmq.map((p) => `amqp://${RABBIT_ADMIN}:${secrets.rabbitmqAdmin}@127.0.0.1:${p.amqp}`),
    queue: settings.REQUEST_QUEUE ?? 'request',
    databaseUrl: `postgres://${DB_ROLES.app}:${secrets.postgresApp}@127.0.0.1:${plan.ports.dbReadWrite}/${APP_DATABASE}`,
    tiers: Object.fromEntries(Object.entries(tiers).map(([tier, pids]) => [tier, () => pids])),
    settings,
    variant: variantOf(variantSettings(settings)),
    describe:
      `local cluster (${plan.dataDir}): HAProxy, ${running('front-end')} Front Ends, ${running('back-end')} Back Ends, ` +
      `${running('rabbitmq')} RabbitMQ nodes, ${running('postgres')} PostgreSQL (Patroni), ${running('etcd')} etcd, all on this machine`,
    stop: async () => {
      if (!wasRunning) await cluster.down((line) => say(`cluster: ${line}`));
    },
  };
}
