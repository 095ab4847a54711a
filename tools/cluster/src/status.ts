import { answers, getJson, request } from './http.js';
import { readyUrl } from './nodes/app.js';
import { etcdClientUrl } from './nodes/etcd.js';
import { drivers, type ClusterContext } from './nodes/index.js';
import { patroniMembers, patroniState, roleName, type PatroniMember } from './nodes/patroni.js';
import { managementUrl, RABBIT_ADMIN, rabbitNodeName } from './nodes/rabbitmq.js';
import { acceptsConnections } from './nodes/smtp.js';
import { nodesOf, type NodeKind, type NodeSpec } from './plan.js';

export interface NodeStatus {
  name: string;
  kind: NodeKind;
  /** primary / replica (PostgreSQL), leader / member (RabbitMQ's request queue, etcd), or the tier's job. */
  role: string;
  /** running, stopped, or what the node says of itself while it is not serving (starting, not ready, …). */
  state: string;
  pid: number | null;
  /** Every live process of the node (PostgreSQL: Patroni and the postmaster; RabbitMQ: the VM and its script). */
  pids: number[];
  /** A standby's replication lag in bytes. */
  lagBytes?: number | null;
  /** The synchronous standby: with synchronous_mode, the one replica Patroni may promote. */
  syncStandby?: boolean;
  /** The request queue, on the row of the node that leads it. */
  queueDepth?: number;
  consumers?: number;
}

export interface ClusterStatus {
  app: string;
  management: string;
  stats: string;
  nodes: NodeStatus[];
}

interface QueueInfo {
  leader?: string;
  messages?: number;
  consumers?: number;
}

/** One row per node, from the processes and from what each server reports about itself. */
export async function clusterStatus(ctx: ClusterContext): Promise<ClusterStatus> {
  const nodes = nodesOf();
  const [members, queue] = await Promise.all([membersByName(ctx), requestQueue(ctx)]);
  const rows = await Promise.all(nodes.map((node) => nodeStatus(ctx, node, { members, queue })));
  const { ports } = ctx.plan;
  return {
    app: `http://127.0.0.1:${ports.app}/`,
    management: managementUrl(ctx.plan, 0),
    stats: `http://127.0.0.1:${ports.stats}/`,
    nodes: rows,
  };
}

async function nodeStatus(ctx: ClusterContext, node: NodeSpec, facts: { members: Map<string, PatroniMember>; queue?: QueueInfo }): Promise<NodeStatus> {
  const processes = await drivers[node.kind].processes(ctx, node);
  const base = { name: node.name, kind: node.kind, pid: processes[0]?.pid ?? null, pids: processes.map((p) => p.pid) };
  if (processes.length === 0) return { ...base, role: '-', state: 'stopped' };
  switch (node.kind) {
    case 'postgres': {
      const state = await patroniState(ctx.plan, node.index);
      const role = roleName(state?.role);
      if (role !== 'replica') return { ...base, role, state: state?.state ?? 'not answering' };
      const member = facts.members.get(node.name);
      const lagBytes = typeof member?.lag === 'number' ? member.lag : null;
      return { ...base, role, state: state?.state ?? 'not answering', lagBytes, ...(member?.role === 'sync_standby' ? { syncStandby: true } : {}) };
    }
    case 'rabbitmq': {
      const leads = facts.queue?.leader === rabbitNodeName(ctx.plan, node.index);
      const queue = leads ? { queueDepth: facts.queue?.messages ?? 0, consumers: facts.queue?.consumers ?? 0 } : {};
      return { ...base, role: leads ? 'leader' : 'member', state: 'running', ...queue };
    }
    case 'etcd':
      return { ...base, role: await etcdRole(ctx, node.index), state: 'running' };
    case 'haproxy':
      return { ...base, role: 'load balancer', state: 'running' };
    case 'smtp':
      return { ...base, role: 'SMTP catcher', state: (await acceptsConnections(ctx.plan.ports.smtp)) ? 'running' : 'not answering' };
    default:
      return { ...base, role: { 'front-end': 'web', mailer: 'mail' }[node.kind as string] ?? 'worker', state: (await answers(readyUrl(ctx.plan, node))) ? 'running' : 'not ready' };
  }
}

/** Each member's role and lag as the cluster's view says. */
async function membersByName(ctx: ClusterContext): Promise<Map<string, PatroniMember>> {
  return new Map(((await patroniMembers(ctx.plan)) ?? []).map((m) => [m.name, m]));
}

/** The request queue as the management API of any running node reports it. */
async function requestQueue(ctx: ClusterContext): Promise<QueueInfo | undefined> {
  const queue = encodeURIComponent(ctx.settings.REQUEST_QUEUE ?? 'request');
  for (let i = 0; i < ctx.plan.ports.rabbitmq.length; i++) {
    const info = await getJson<QueueInfo>(`${managementUrl(ctx.plan, i)}/api/queues/%2F/${queue}`, { auth: [RABBIT_ADMIN, ctx.secrets.rabbitmqAdmin] });
    if (info) return info;
  }
  return undefined;
}

async function etcdRole(ctx: ClusterContext, index: number): Promise<string> {
  try {
    const { body } = await request(`${etcdClientUrl(ctx.plan, index)}/v3/maintenance/status`, { method: 'POST', body: {} });
    const status = body as { header?: { member_id?: string }; leader?: string };
    if (!status.leader) return 'no leader';
    return status.leader === status.header?.member_id ? 'leader' : 'member';
  } catch {
    return 'not answering';
  }
}

/** The rows as a fixed-width table for a terminal. */
export function formatStatus(status: ClusterStatus): string {
  const header = ['NAME', 'KIND', 'ROLE', 'STATE', 'PID', 'LAG', 'QUEUE', 'CONSUMERS'];
  const rows = status.nodes.map((n) => [
    n.name, n.kind, n.syncStandby ? 'replica (sync)' : n.role, n.state, n.pid === null ? '-' : String(n.pid),
    n.lagBytes === undefined ? '' : n.lagBytes === null ? '?' : `${n.lagBytes} B`,
    n.queueDepth === undefined ? '' : String(n.queueDepth),
    n.consumers === undefined ? '' : String(n.consumers),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line), '', `app: ${status.app}`].join('\n');
}
