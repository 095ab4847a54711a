import { hostname } from 'node:os';
import type { RpcClient } from '@gatehouse/messaging';
import { systemStatusSchema } from '@gatehouse/protocol';
import type { BrokerManagement } from '../config.js';
import { brokerStatus, type BrokerStatus } from './broker.js';
import { toSections } from './sections.js';
import { tiersOf } from './tiers.js';
import type { GoneReplicas } from './gone-replicas.js';
import type { PrimaryChanges } from './primary-changes.js';
import type { RecentTraffic } from './traffic.js';
import type { StatusReport } from './types.js';

export type { StatusReport } from './types.js';

export const FRONT_END_INSTANCE = `${hostname()}/${process.pid}`;


export interface StatusSources {
  rpc: RpcClient;
  transport: 'amqp' | 'in-process';
  requestQueue: string;
  management?: BrokerManagement | undefined;
  traffic: RecentTraffic;
  primaryChanges: PrimaryChanges;
  goneReplicas: GoneReplicas;
  rpcInFlight(): number;
  /** This Front End's end of its broker connection, when it has one. */
  brokerAddress?: () => string | undefined;
  /** How long SYSTEM_STATUS may take. */
  timeoutMs: number;
}

/** Gathers the picture: SYSTEM_STATUS over the bus, the broker's management API, this Front End's own counts. */
export async function buildStatusReport(sources: StatusSources): Promise<StatusReport> {
  const [backEnd, broker] = await Promise.all([
    askBackEnd(sources),
    sources.transport === 'amqp' ? brokerStatus(sources.management, sources.requestQueue) : inProcessBroker(),
  ]);
  const brokerAddress = sources.brokerAddress?.();
  const frontEnd = { instance: FRONT_END_INSTANCE, ready: sources.rpc.isReady(), rpcInFlight: sources.rpcInFlight(), ...(brokerAddress ? { brokerAddress } : {}) };
  if (backEnd.ok) sources.primaryChanges.observe(backEnd.status.database.primary);
  const primaryChanges = sources.primaryChanges.recent();
  const facts = { generatedAt: new Date().toISOString(), transport: sources.transport, frontEnd, backEnd, broker, traffic: sources.traffic.recent(), primaryChanges };
  const tiers = sources.goneReplicas.withGone(tiersOf(facts));
  return { ...facts, tiers, sections: toSections({ ...facts, tiers }) };
}

async function askBackEnd(sources: StatusSources): Promise<StatusReport['backEnd']> {
  try {
    const reply = await sources.rpc.call({ action: 'SYSTEM_STATUS', data: { events: 20 } }, { timeoutMs: sources.timeoutMs });
    const parsed = systemStatusSchema.safeParse(reply.status);
    if (reply.success && parsed.success) return { ok: true, status: parsed.data };
    return { ok: false, reason: `the Back End could not answer SYSTEM_STATUS (${reply.message ?? 'an older Back End?'})` };
  } catch (err) {
    return { ok: false, reason: `no Back End answered SYSTEM_STATUS: ${(err as Error).message}` };
  }
}

async function inProcessBroker(): Promise<BrokerStatus> {
  return { available: false, reason: 'npm start carries messages in-process: there is no RabbitMQ' };
}
