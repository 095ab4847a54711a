import { ClusterError } from './cluster.js';
import type { ClusterStatus, NodeStatus } from './status.js';

/**
 * Names that stand for whichever node holds a role now: the primary is whichever node Patroni
 * elected, so "pg1" names a replica as often as not, and a drill meant to fail over would not.
 */
export const ROLE_ALIASES: Record<string, (n: NodeStatus) => boolean> = {
  primary: (n) => n.kind === 'postgres' && n.role === 'primary',
  'queue-leader': (n) => n.kind === 'rabbitmq' && n.role === 'leader',
};

/** The node a name means now: an alias resolved from `status`, or the name itself. */
export function resolveTarget(name: string, status: ClusterStatus): string {
  const alias = ROLE_ALIASES[name];
  if (!alias) return name;
  const found = status.nodes.filter((n) => n.state !== 'stopped' && alias(n));
  if (found.length !== 1) throw new ClusterError(`no single ${name} now (${found.length} found): see "npm run cluster -- status"`);
  return found[0]!.name;
}

/** What follows from killing this node, said plainly: a replica's death starts no failover. */
export function killNote(killed: NodeStatus, before: ClusterStatus): string {
  const others = (kind: NodeStatus['kind'], role: string) => before.nodes.filter((n) => n.kind === kind && n.role === role && n.name !== killed.name).map((n) => n.name);
  const back = `"start ${killed.name}" brings it back`;
  if (killed.kind === 'postgres' && killed.role === 'primary') {
    const sync = before.nodes.find((n) => n.syncStandby)?.name;
    return `${killed.name} killed. It was the primary: once its leader key expires (about 10 s), Patroni promotes ${sync ? `the synchronous standby, ${sync}` : 'a standby'}; watch "status". ${back} as a replica.`;
  }
  if (killed.kind === 'postgres' && killed.role === 'replica') {
    const primary = others('postgres', 'primary')[0] ?? 'the primary';
    const sync = killed.syncStandby ? ' It was the synchronous standby: Patroni makes the other replica synchronous.' : '';
    return `${killed.name} killed. It was a replica, so no failover follows: ${primary} stays the primary ("kill primary" kills whichever node is).${sync} ${back}.`;
  }
  if (killed.kind === 'rabbitmq' && killed.role === 'leader') return `${killed.name} killed. It led the request queue: another member takes the lead within a second. ${back}.`;
  if (killed.kind === 'rabbitmq') {
    const leader = others('rabbitmq', 'leader')[0];
    return `${killed.name} killed. It did not lead the request queue${leader ? ` (${leader} does)` : ''}, so the queue keeps its leader ("kill queue-leader" kills whichever node does). ${back}.`;
  }
  return `${killed.name} killed. ${back}.`;
}
