import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from './free-ports.js';
import { writeFileAtomically } from './files.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export type NodeKind = 'etcd' | 'postgres' | 'rabbitmq' | 'haproxy' | 'back-end' | 'smtp' | 'mailer' | 'front-end';

export interface NodeSpec {
  name: string;
  kind: NodeKind;
  /** 0-based position within its kind: selects its ports. */
  index: number;
}

/** Every port the cluster uses, chosen once at the first `up` and kept. */
export interface ClusterPorts {
  app: number;
  stats: number;
  dbReadWrite: number;
  dbReadOnly: number;
  etcd: { client: number; peer: number }[];
  postgres: { sql: number; rest: number }[];
  rabbitmq: { amqp: number; management: number; dist: number }[];
  frontEnds: number[];
  backEndHealth: number[];
  /** The SMTP catcher the Mailers send to (plans from before the Mailers get them at the next open). */
  smtp: number;
  mailerHealth: number[];
}

/** What `up` decided the first time: kept in cluster.json so later commands find everything. */
export interface ClusterPlan {
  version: 1;
  /** Short random id: keeps node names and the Patroni scope apart from other clusters on the machine. */
  id: string;
  dataDir: string;
  ports: ClusterPorts;
}

export const REPLICAS = 3;
/** Two Mailers: one can die mid-send while the other carries on (their claims keep a mail single). */
export const MAILERS = 2;
const KINDS: [NodeKind, string, number][] = [
  ['etcd', 'etcd', REPLICAS],
  ['postgres', 'pg', REPLICAS],
  ['rabbitmq', 'rabbit', REPLICAS],
  ['haproxy', 'haproxy', 1],
  ['back-end', 'back-end', REPLICAS],
  ['smtp', 'smtp', 1],
  ['mailer', 'mailer', MAILERS],
  ['front-end', 'front-end', REPLICAS],
];

/** All nodes, in start order. */
export function nodesOf(): NodeSpec[] {
  return KINDS.flatMap(([kind, prefix, count]) =>
    Array.from({ length: count }, (_, index) => ({ kind, index, name: count === 1 ? prefix : `${prefix}${index + 1}` })),
  );
}

export function findNode(name: string): NodeSpec | undefined {
  return nodesOf().find((n) => n.name === name);
}

export const planFile = (dataDir: string) => join(dataDir, 'cluster.json');

export async function loadPlan(dataDir: string): Promise<ClusterPlan | undefined> {
  const file = planFile(resolve(dataDir));
  if (!existsSync(file)) return undefined;
  const plan = JSON.parse(await readFile(file, 'utf8')) as ClusterPlan;
  if (plan.version !== 1) throw new Error(`${file} was written by another version of this tool; remove ${dataDir} to start afresh`);
  return withMailPorts({ ...plan, dataDir: resolve(dataDir) });
}

/** A new plan on free loopback ports (the app port may be chosen). */
export async function createPlan(dataDir: string, appPort?: number): Promise<ClusterPlan> {
  const ports = await freePorts(9 + REPLICAS * 9 + MAILERS, appPort ? [appPort] : []);
  const take = () => ports.shift()!;
  const times = <T>(make: () => T) => Array.from({ length: REPLICAS }, make);
  const plan: ClusterPlan = {
    version: 1,
    id: randomBytes(3).toString('hex'),
    dataDir: resolve(dataDir),
    ports: {
      app: appPort ?? take(),
      stats: take(),
      dbReadWrite: take(),
      dbReadOnly: take(),
      etcd: times(() => ({ client: take(), peer: take() })),
      postgres: times(() => ({ sql: take(), rest: take() })),
      rabbitmq: times(() => ({ amqp: take(), management: take(), dist: take() })),
      frontEnds: times(take),
      backEndHealth: times(take),
      smtp: take(),
      mailerHealth: Array.from({ length: MAILERS }, take),
    },
  };
  await mkdir(plan.dataDir, { recursive: true, mode: 0o755 });
  await savePlan(plan);
  return plan;
}

const savePlan = (plan: ClusterPlan) => writeFileAtomically(planFile(plan.dataDir), `${JSON.stringify({ ...plan, dataDir: undefined }, null, 2)}\n`);

/** A cluster created before the Mailers existed gets their ports now, kept like the others. */
async function withMailPorts(plan: ClusterPlan): Promise<ClusterPlan> {
  if (plan.ports.smtp !== undefined && plan.ports.mailerHealth?.length === MAILERS) return plan;
  const used = JSON.stringify(plan.ports).match(/\d+/g)!.map(Number);
  const ports = await freePorts(1 + MAILERS, used);
  const updated = { ...plan, ports: { ...plan.ports, smtp: ports[0]!, mailerHealth: ports.slice(1, 1 + MAILERS) } };
  await savePlan(updated);
  return updated;
}

export const nodeDir = (plan: ClusterPlan, name: string) => join(plan.dataDir, name);
export const logFile = (plan: ClusterPlan, name: string) => join(plan.dataDir, 'logs', `${name}.log`);
