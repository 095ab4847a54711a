import { httpRequest } from '@gatehouse/runtime';
import type { BrokerManagement } from '../config.js';

/** The connection names our tiers give the broker (messaging's connectAmqp), which tell replicas apart by tier. */
export const TIER_CONNECTION_NAMES = { frontEnd: 'gatehouse-front-end', backEnd: 'gatehouse-back-end' } as const;

export interface BrokerNode {
  name: string;
  running: boolean;
  /** Memory or disk alarms, which block publishers. */
  alarms: string[];
}

export interface BrokerQueue {
  name: string;
  type: string;
  messages: number;
  ready: number;
  unacknowledged: number;
  consumers: number;
  /** The node that leads a quorum queue (or hosts a classic one). */
  leader?: string;
  members?: string[];
  online?: string[];
}

/** A process connected to the broker, as the broker sees it. */
export interface BrokerClient {
  peer: string;
  state: string;
  connectedAt?: string;
  /** For Back Ends: how many consumers it has on the request queue (0: connected but not serving). */
  consumers?: number;
}

export type BrokerStatus =
  | { available: true; via: string; nodes: BrokerNode[]; queue?: BrokerQueue; frontEnds: BrokerClient[]; backEnds: BrokerClient[] }
  | { available: false; reason: string };

interface ApiConnection {
  name: string;
  peer_host?: string;
  peer_port?: number;
  state?: string;
  connected_at?: number;
  client_properties?: { connection_name?: string };
}

interface ApiQueue {
  name: string;
  type?: string;
  messages?: number;
  messages_ready?: number;
  messages_unacknowledged?: number;
  consumers?: number;
  leader?: string;
  node?: string;
  members?: string[];
  online?: string[];
  consumer_details?: { channel_details?: { connection_name?: string } }[];
}

const TIMEOUT_MS = 2000;

/**
 * The broker as its management API reports it: the nodes, the request queue (depth, consumers,
 * leader) and the tiers' connections, which are the replicas. The first URL that answers is used.
 */
export async function brokerStatus(settings: BrokerManagement | undefined, queue: string): Promise<BrokerStatus> {
  if (!settings) {
    return { available: false, reason: 'RABBITMQ_MANAGEMENT_URL, RABBITMQ_MONITOR_USER and RABBITMQ_MONITOR_PASSWORD are not set on this Front End' };
  }
  const failures: string[] = [];
  for (const url of settings.urls) {
    try {
      return await readBroker(url.replace(/\/$/, ''), settings, queue);
    } catch (err) {
      failures.push(`${new URL(url).host}: ${(err as Error).message}`);
    }
  }
  return { available: false, reason: `the management API did not answer (${failures.join('; ')})` };
}

async function readBroker(base: string, settings: BrokerManagement, queue: string): Promise<BrokerStatus> {
  const get = getter(base, settings);
  const [nodes, connections, queueInfo] = await Promise.all([
    get<{ name: string; running: boolean; mem_alarm?: boolean; disk_free_alarm?: boolean }[]>('/api/nodes?columns=name,running,mem_alarm,disk_free_alarm'),
    get<ApiConnection[]>('/api/connections?columns=name,peer_host,peer_port,state,connected_at,client_properties'),
    get<ApiQueue>(`/api/queues/%2F/${encodeURIComponent(queue)}`, true),
  ]);
  const consumersBy = new Map<string, number>();
  for (const c of queueInfo?.consumer_details ?? []) {
    const name = c.channel_details?.connection_name ?? '';
    consumersBy.set(name, (consumersBy.get(name) ?? 0) + 1);
  }
  const clients = (tier: string) => connections.filter((c) => c.client_properties?.connection_name === tier).map(toClient);
  return {
    available: true,
    via: new URL(base).host,
    nodes: nodes.map((n) => ({ name: n.name, running: n.running, alarms: [n.mem_alarm ? 'memory' : '', n.disk_free_alarm ? 'disk' : ''].filter(Boolean) })),
    ...(queueInfo ? { queue: toQueue(queueInfo) } : {}),
    frontEnds: clients(TIER_CONNECTION_NAMES.frontEnd),
    backEnds: connections
      .filter((c) => c.client_properties?.connection_name === TIER_CONNECTION_NAMES.backEnd)
      .map((c) => ({ ...toClient(c), consumers: consumersBy.get(c.name) ?? 0 })),
  };
}

/** GET of a JSON document; a 404 is undefined when `optional`, any other failure throws. */
function getter(base: string, { user, password }: BrokerManagement) {
  async function get<T>(path: string): Promise<T>;
  async function get<T>(path: string, optional: true): Promise<T | undefined>;
  async function get<T>(path: string, optional = false): Promise<T | undefined> {
    const { status, body } = await httpRequest(`${base}${path}`, { auth: [user, password], timeoutMs: TIMEOUT_MS });
    if (status === 404 && optional) return undefined;
    if (status === 401) throw new Error(`the management API refused user ${user} (401): check RABBITMQ_MONITOR_USER and RABBITMQ_MONITOR_PASSWORD`);
    if (status < 200 || status > 299) throw new Error(`GET ${path.split('?')[0]}: HTTP ${status}`);
    return body as T;
  }
  return get;
}

function toClient(c: ApiConnection): BrokerClient {
  return {
    peer: c.peer_host ? `${c.peer_host}:${c.peer_port}` : c.name,
    state: c.state ?? 'unknown',
    ...(c.connected_at ? { connectedAt: new Date(c.connected_at).toISOString() } : {}),
  };
}

function toQueue(q: ApiQueue): BrokerQueue {
  return {
    name: q.name,
    type: q.type ?? 'classic',
    messages: q.messages ?? 0,
    ready: q.messages_ready ?? 0,
    unacknowledged: q.messages_unacknowledged ?? 0,
    // RabbitMQ 3.10 leaves `consumers` out for quorum queues; their consumer_details are there.
    consumers: q.consumers ?? q.consumer_details?.length ?? 0,
    ...(q.leader ?? q.node ? { leader: q.leader ?? q.node } : {}),
    ...(q.members ? { members: q.members } : {}),
    ...(q.online ? { online: q.online } : {}),
  };
}
