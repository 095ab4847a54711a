import { describe, expect, it } from 'vitest';
import type { ClusterStatus, NodeStatus } from '../src/status.js';
import { killNote, resolveTarget } from '../src/targets.js';
import { switchoverRefusal } from '../src/switchover.js';

// Status rows as `status --json` gives them, with pg2 elected primary and rabbit3 leading the queue.
const row = (name: string, kind: NodeStatus['kind'], role: string, extra: Partial<NodeStatus> = {}): NodeStatus => ({ name, kind, role, state: 'running', pid: 1, pids: [1], ...extra });
const status: ClusterStatus = {
  app: 'http://127.0.0.1:1/',
  management: '',
  stats: '',
  nodes: [
    row('pg1', 'postgres', 'replica', { lagBytes: 0 }),
    row('pg2', 'postgres', 'primary'),
    row('pg3', 'postgres', 'replica', { lagBytes: 0, syncStandby: true }),
    row('rabbit1', 'rabbitmq', 'member'),
    row('rabbit3', 'rabbitmq', 'leader'),
    row('back-end1', 'back-end', 'worker'),
  ],
};
const node = (name: string) => status.nodes.find((n) => n.name === name)!;

describe('kill and stop by role', () => {
  it('primary and queue-leader name whichever node holds the role now', () => {
    expect(resolveTarget('primary', status)).toBe('pg2');
    expect(resolveTarget('queue-leader', status)).toBe('rabbit3');
    expect(resolveTarget('pg1', status)).toBe('pg1');
  });

  it('refuses plainly when no node holds the role', () => {
    const none = { ...status, nodes: status.nodes.map((n) => (n.role === 'primary' ? { ...n, role: 'replica' } : n)) };
    expect(() => resolveTarget('primary', none)).toThrow('no single primary now (0 found): see "npm run cluster -- status"');
  });
});

describe('what kill says follows', () => {
  it('a replica: no failover, and which node stays primary', () => {
    expect(killNote(node('pg1'), status)).toBe(
      'pg1 killed. It was a replica, so no failover follows: pg2 stays the primary ("kill primary" kills whichever node is). "start pg1" brings it back.',
    );
    expect(killNote(node('pg3'), status)).toMatch(/no failover follows.*It was the synchronous standby: Patroni makes the other replica synchronous/);
  });

  it('the primary: the synchronous standby takes over', () => {
    expect(killNote(node('pg2'), status)).toMatch(/^pg2 killed\. It was the primary: .*Patroni promotes the synchronous standby, pg3; watch "status"/);
  });

  it('a broker: whether the request queue loses its leader', () => {
    expect(killNote(node('rabbit1'), status)).toMatch(/did not lead the request queue \(rabbit3 does\), so the queue keeps its leader/);
    expect(killNote(node('rabbit3'), status)).toMatch(/It led the request queue: another member takes the lead/);
    expect(killNote(node('back-end1'), status)).toBe('back-end1 killed. "start back-end1" brings it back.');
    // A PostgreSQL node whose Patroni did not answer: no guess at what follows.
    expect(killNote({ ...node('pg1'), role: 'unknown' }, status)).toBe('pg1 killed. "start pg1" brings it back.');
  });
});

describe('switchover refusals, said plainly', () => {
  const members = [
    { name: 'pg1', role: 'leader', state: 'running' },
    { name: 'pg2', role: 'sync_standby', state: 'streaming' },
    { name: 'pg3', role: 'replica', state: 'streaming' },
  ];
  const nodes = ['pg1', 'pg2', 'pg3'];

  it('names a node that does not exist, and the ones that do', () => {
    expect(switchoverRefusal(members, nodes, 'pg9')).toBe('there is no node pg9: the PostgreSQL nodes are pg1, pg2, pg3');
  });

  it('an asynchronous replica: only the synchronous standby may take over now, and how to make another eligible', () => {
    const refusal = switchoverRefusal(members, nodes, 'pg3')!;
    expect(refusal).toMatch(/^only the synchronous standby, pg2, can take over now/);
    expect(refusal).toMatch(/To make pg3 eligible, stop pg2\n\("npm run cluster -- stop pg2"\)/);
    expect(refusal).not.toMatch(/sync_standby/);
  });

  it('lets the synchronous standby, or Patroni\'s own choice, go ahead', () => {
    expect(switchoverRefusal(members, nodes, 'pg2')).toBeUndefined();
    expect(switchoverRefusal(members, nodes, undefined)).toBeUndefined();
    // Patroni 3.0 calls the leader master; a replica not streaming cannot take over.
    expect(switchoverRefusal([{ name: 'pg1', role: 'master', state: 'running' }, { name: 'pg2', role: 'replica', state: 'stopped' }], nodes, 'pg2')).toMatch(/pg2 is not running as a replica now/);
    expect(switchoverRefusal(members, nodes, 'pg1')).toBe('pg1 is already the primary');
    expect(switchoverRefusal([], nodes, 'pg2')).toMatch(/there is no primary to move/);
  });
});
