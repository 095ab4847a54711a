import { describe, expect, it } from 'vitest';
import type { BrokerStatus } from '../src/status/broker.js';
import { tiersOf } from '../src/status/tiers.js';
import { RecentTraffic } from '../src/status/traffic.js';
import type { StatusFacts } from '../src/status/types.js';
import { FAKE_STATUS } from './fake-rpc.js';

const broker: BrokerStatus = {
  available: true,
  via: 'mq1:15672',
  nodes: [{ name: 'rabbit@mq1', running: true, alarms: [] }, { name: 'rabbit@mq2', running: false, alarms: [] }],
  queue: { name: 'request', type: 'quorum', messages: 3, ready: 1, unacknowledged: 2, consumers: 1, leader: 'rabbit@mq1' },
  frontEnds: [{ peer: '10.0.0.5:4000', state: 'running' }],
  backEnds: [{ peer: '10.0.0.6:4100', state: 'running', consumers: 1 }, { peer: '10.0.0.7:4100', state: 'running', consumers: 0 }],
};
const facts = (over: Partial<StatusFacts>): StatusFacts => ({
  generatedAt: '2026-11-26T00:00:00.000Z',
  transport: 'amqp',
  frontEnd: { instance: 'fe/1', ready: true, rpcInFlight: 0 },
  backEnd: { ok: true, status: FAKE_STATUS },
  broker,
  traffic: [],
  primaryChanges: [],
  ...over,
});
const byName = (tiers: ReturnType<typeof tiersOf>) => Object.fromEntries(tiers.map((t) => [t.name, t]));

describe('tiers and their health', () => {
  it('takes replicas from the broker: a Back End without a consumer makes its tier degraded, a stopped node the broker\'s', () => {
    const tiers = byName(tiersOf(facts({})));
    expect(tiers['Back End']).toMatchObject({ health: 'degraded', replicas: [{ health: 'ok' }, { id: '10.0.0.7:4100', health: 'not consuming' }] });
    expect(tiers['Front End']).toMatchObject({ health: 'ok', replicas: [{ id: '10.0.0.5:4000' }] });
    expect(tiers['Messaging']).toMatchObject({ health: 'degraded', replicas: [{ health: 'ok' }, { health: 'down' }] });
    expect(tiers['Database']).toMatchObject({ health: 'ok', note: 'no standbys' });
  });

  it('without the management API, lists this Front End and the Back End that answered, and says why no more', () => {
    const tiers = byName(tiersOf(facts({ broker: { available: false, reason: 'not configured' } })));
    expect(tiers['Front End']).toMatchObject({ health: 'ok', replicas: [{ id: 'fe/1' }], note: expect.stringContaining('not configured') });
    expect(tiers['Back End']).toMatchObject({ health: 'ok', replicas: [{ id: 'fake/1' }] });
  });

  it('marks the database unknown and the Back End down when no Back End answers', () => {
    const tiers = byName(tiersOf(facts({ broker: { available: false, reason: 'x' }, backEnd: { ok: false, reason: 'no Back End answered SYSTEM_STATUS' } })));
    expect(tiers['Back End']).toMatchObject({ health: 'unknown', replicas: [] });
    expect(tiers['Database']).toMatchObject({ health: 'unknown', note: expect.stringContaining('no Back End answered') });
  });
});

describe('recent traffic', () => {
  const minute = Date.UTC(2026, 10, 26, 0, 10);

  it('counts requests, 4xx and 5xx per minute over the last hour, quiet minutes as zeros', () => {
    const traffic = new RecentTraffic();
    traffic.record(200, minute - 60_000);
    traffic.record(303, minute + 1000);
    traffic.record(404, minute + 2000);
    traffic.record(503, minute + 3000);
    const recent = traffic.recent(minute + 5000);
    expect(recent).toHaveLength(60);
    expect(recent[59]).toEqual({ minute: new Date(minute).toISOString(), requests: 3, clientErrors: 1, serverErrors: 1 });
    expect(recent[58]).toMatchObject({ requests: 1, clientErrors: 0, serverErrors: 0 });
    expect(recent[0]).toMatchObject({ requests: 0 });
  });

  it('forgets minutes older than an hour', () => {
    const traffic = new RecentTraffic();
    traffic.record(200, minute);
    traffic.record(200, minute + 61 * 60_000);
    expect(traffic.recent(minute + 61 * 60_000).reduce((n, m) => n + m.requests, 0)).toBe(1);
  });
});
