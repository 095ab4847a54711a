import type { BrokerStatus } from './broker.js';
import type { Health, Replica, StatusFacts, Tier } from './types.js';



type Facts = StatusFacts;

/**
 * Every tier and its replicas. The replicas are the processes the broker has connections from,
 * named by tier (its management API); a Back End is healthy while it consumes the request queue.
 * Without the management API, only this Front End and the Back End that answered are known.
 */
export function tiersOf(facts: Facts): Tier[] {
  return [frontEnds(facts), backEnds(facts), messaging(facts), database(facts)];
}

function tier(name: string, replicas: Replica[], note?: string): Tier {
  const healthy = replicas.filter((r) => r.health === 'ok').length;
  const health: Health = replicas.length === 0 ? 'unknown' : healthy === replicas.length ? 'ok' : healthy > 0 ? 'degraded' : 'down';
  return { name, health, replicas, ...(note ? { note } : {}) };
}

function frontEnds({ transport, frontEnd, broker }: Facts): Tier {
  const self = { id: frontEnd.instance, health: frontEnd.ready ? 'ok' : 'not ready', detail: 'this Front End' };
  if (transport === 'in-process') return tier('Front End', [{ ...self, detail: 'this process (npm start)' }]);
  if (!broker.available) return tier('Front End', [self], `other replicas unknown: ${broker.reason}`);
  const replicas = broker.frontEnds.map((c) => ({ id: c.peer, health: c.state === 'running' ? 'ok' : c.state, detail: since(c.connectedAt) }));
  return tier('Front End', replicas, `this page: ${frontEnd.instance}`);
}

function backEnds({ transport, backEnd, broker }: Facts): Tier {
  const answered = backEnd.ok ? `${backEnd.status.backEnd.instance} answered SYSTEM_STATUS` : backEnd.reason;
  if (transport === 'in-process') {
    const id = backEnd.ok ? backEnd.status.backEnd.instance : 'in this process';
    return tier('Back End', [{ id, health: backEnd.ok ? 'ok' : 'not answering', detail: 'in this process (npm start)' }], backEnd.ok ? undefined : answered);
  }
  if (!broker.available) {
    const replicas = backEnd.ok ? [{ id: backEnd.status.backEnd.instance, health: 'ok', detail: 'answered SYSTEM_STATUS' }] : [];
    return tier('Back End', replicas, `other replicas unknown: ${broker.reason}${backEnd.ok ? '' : `; ${backEnd.reason}`}`);
  }
  const replicas = broker.backEnds.map((c) => ({
    id: c.peer,
    health: c.state !== 'running' ? c.state : c.consumers ? 'ok' : 'not consuming',
    detail: `${c.consumers ?? 0} consumer(s) on the request queue; ${since(c.connectedAt)}`,
  }));
  return tier('Back End', replicas, answered);
}

function messaging({ transport, frontEnd, broker }: Facts): Tier {
  if (transport === 'in-process') {
    return tier('Messaging', [{ id: 'in-process bus', health: 'ok', detail: `${frontEnd.rpcInFlight} call(s) in flight` }]);
  }
  if (!broker.available) {
    const self = { id: 'this Front End\'s connection', health: frontEnd.ready ? 'ok' : 'disconnected', detail: `${frontEnd.rpcInFlight} call(s) in flight` };
    return tier('Messaging', [self], `nodes unknown: ${broker.reason}`);
  }
  return tier('Messaging', broker.nodes.map(brokerNode), `read through ${broker.via}`);
}

function brokerNode(node: Extract<BrokerStatus, { available: true }>['nodes'][number]): Replica {
  if (!node.running) return { id: node.name, health: 'down', detail: 'not running' };
  return { id: node.name, health: node.alarms.length ? `alarm: ${node.alarms.join(', ')}` : 'ok', detail: 'running' };
}

function database({ backEnd }: Facts): Tier {
  if (!backEnd.ok) return tier('Database', [], `unknown: ${backEnd.reason}`);
  const db = backEnd.status.database;
  const replicas = db.nodes.map((n) => ({ id: n.name, health: n.state === 'running' || n.state === 'streaming' ? 'ok' : (n.state ?? 'unknown'), detail: n.role }));
  return tier('Database', replicas, db.note);
}

const since = (at: string | undefined) => (at ? `connected since ${at}` : 'connected');
