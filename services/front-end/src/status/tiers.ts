import type { BrokerStatus } from './broker.js';
import type { Health, Replica, StatusFacts, Tier } from './types.js';



type Facts = StatusFacts;

/**
 * Every tier and its replicas. The replicas are the processes the broker has connections from,
 * named by tier (its management API); a Back End is healthy while it consumes the request queue.
 * Without the management API, only this Front End and the Back End that answered are known.
 */
export function tiersOf(facts: Facts): Tier[] {
  return [frontEnds(facts), backEnds(facts), messaging(facts), database(facts), ...databaseSupport(facts)];
}

/** A tier from its replicas: healthy when all are, degraded when some are, down when none is. */
export function tier(name: string, replicas: Replica[], note?: string): Tier {
  const healthy = replicas.filter((r) => r.health === 'ok').length;
  const health: Health = replicas.length === 0 ? 'unknown' : healthy === replicas.length ? 'ok' : healthy > 0 ? 'degraded' : 'down';
  return { name, health, replicas, ...(note ? { note } : {}) };
}

function frontEnds({ transport, frontEnd, broker }: Facts): Tier {
  const self = { id: frontEnd.instance, health: frontEnd.ready ? 'ok' : 'not ready', detail: 'this one: it serves this page', marks: [THIS_ONE] };
  if (transport === 'in-process') return tier('Front End', [{ ...self, detail: 'this one: this process (npm start)', facts: ['in-process'] }]);
  if (!broker.available) return tier('Front End', [self], `other replicas unknown: ${broker.reason}`);
  const replicas = broker.frontEnds.map((c) => ({
    id: c.peer,
    health: c.state === 'running' ? 'ok' : c.state,
    detail: since(c.connectedAt),
    ...(c.peer === frontEnd.brokerAddress ? { marks: [THIS_ONE] } : {}),
  }));
  // Behind NAT the broker sees another address than ours: then no box can be marked.
  const seen = replicas.some((r) => r.marks);
  return tier('Front End', replicas, `this page: ${frontEnd.instance}${seen ? '' : ' (not told apart among the broker\'s clients)'}`);
}

function backEnds({ transport, backEnd, broker }: Facts): Tier {
  const answered = backEnd.ok ? `${backEnd.status.backEnd.instance} answered SYSTEM_STATUS` : backEnd.reason;
  if (transport === 'in-process') {
    const id = backEnd.ok ? backEnd.status.backEnd.instance : 'in this process';
    return tier('Back End', [{ id, health: backEnd.ok ? 'ok' : 'not answering', detail: 'in this process (npm start)', facts: ['in-process'] }], backEnd.ok ? undefined : answered);
  }
  if (!broker.available) {
    const replicas = backEnd.ok ? [{ id: backEnd.status.backEnd.instance, health: 'ok', detail: 'answered SYSTEM_STATUS' }] : [];
    return tier('Back End', replicas, `other replicas unknown: ${broker.reason}${backEnd.ok ? '' : `; ${backEnd.reason}`}`);
  }
  const replicas = broker.backEnds.map((c) => ({
    id: c.peer,
    health: c.state !== 'running' ? c.state : c.consumers ? 'ok' : 'not consuming',
    detail: `${c.consumers ?? 0} consumer(s) on the request queue; ${since(c.connectedAt)}`,
    facts: [`${c.consumers ?? 0} consumer${c.consumers === 1 ? '' : 's'}`],
  }));
  return tier('Back End', replicas, answered);
}

function messaging({ transport, frontEnd, broker }: Facts): Tier {
  if (transport === 'in-process') {
    return tier('Messaging', [{ id: 'in-process bus', health: 'ok', detail: `${frontEnd.rpcInFlight} call(s) in flight`, facts: ['in-process'] }]);
  }
  if (!broker.available) {
    const self = { id: 'this Front End\'s connection', health: frontEnd.ready ? 'ok' : 'disconnected', detail: `${frontEnd.rpcInFlight} call(s) in flight` };
    return tier('Messaging', [self], `nodes unknown: ${broker.reason}`);
  }
  const leader = broker.queue?.leader;
  const note = `read through ${broker.via}${broker.queue ? '' : '; the request queue does not exist yet'}`;
  return tier('Messaging', broker.nodes.map((n) => brokerNode(n, n.name === leader)), note);
}

function brokerNode(node: Extract<BrokerStatus, { available: true }>['nodes'][number], leads: boolean): Replica {
  const marks = leads ? { marks: [LEADS_QUEUE] } : {};
  if (!node.running) return { id: node.name, health: 'down', detail: 'not running', ...marks };
  return { id: node.name, health: node.alarms.length ? `alarm: ${node.alarms.join(', ')}` : 'ok', detail: leads ? `running; ${LEADS_QUEUE}` : 'running', ...marks };
}

function database({ backEnd }: Facts): Tier {
  if (!backEnd.ok) return tier('Database', [], `unknown: ${backEnd.reason}`);
  const db = backEnd.status.database;
  const replicas = db.nodes.map((n): Replica => {
    const primary = n.role === 'primary';
    const health = n.state === 'running' || n.state === 'streaming' ? 'ok' : (n.state ?? 'unknown');
    if (primary) return { id: n.name, health, detail: n.role, marks: ['primary'], ...(db.source === 'embedded' ? { facts: ['in-process (PGlite)'] } : {}) };
    const lagText = lagOf(n.lagBytes, n.lagSeconds);
    return { id: n.name, health, detail: `${n.role}, ${lagText}`, facts: [lagText] };
  });
  return tier('Database', replicas, db.note);
}

/** HAProxy and etcd, when the Back End reads them: a failover is also HAProxy moving the writes and etcd keeping a leader. */
function databaseSupport({ backEnd }: Facts): Tier[] {
  const nodes = backEnd.ok ? (backEnd.status.database.infrastructure ?? []) : [];
  if (nodes.length === 0) return [];
  const replicas = nodes.map((n): Replica => ({
    id: n.name,
    health: n.state === 'running' ? 'ok' : n.state,
    detail: [n.kind, n.role, ...(n.facts ?? [])].join(', '),
    ...(n.role === 'leader' ? { marks: [`${n.kind} leader`] } : {}),
    // The kind in words where the name may not say it; HAProxy's box has room only for where it routes.
    facts: n.kind === 'haproxy' ? (n.facts ?? []) : [n.role === 'leader' ? n.kind : `${n.kind} ${n.role}`, ...(n.facts ?? [])],
  }));
  return [tier(DATABASE_SUPPORT, replicas)];
}

export const DATABASE_SUPPORT = 'Database support';

/** A standby's lag in words: bytes of WAL still to replay, and seconds when PostgreSQL says. */
function lagOf(bytes: number | null | undefined, seconds: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return seconds === null || seconds === undefined ? 'lag unknown' : `lag ${seconds} s`;
  return `lag ${bytes} B${seconds === null || seconds === undefined ? '' : `, ${seconds} s`}`;
}

const THIS_ONE = 'this one';
const LEADS_QUEUE = 'leads the request queue';
const since = (at: string | undefined) => (at ? `connected since ${at}` : 'connected');
