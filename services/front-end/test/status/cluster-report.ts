import { pictureOf } from '../../src/status/picture.js';
import { tiersOf } from '../../src/status/tiers.js';
import type { StatusFacts, StatusReport } from '../../src/status/types.js';
import { toSections } from '../../src/status/sections.js';

/**
 * A report as the local cluster gives one in the middle of a drill: node-1 (the old primary)
 * killed, node-2 primary, node-3 catching up; a broker node down; one Back End not consuming;
 * 503s in the minute of the failover.
 */
const NOW = Date.UTC(2026, 11, 6, 22, 0);
const minute = (ago: number) => new Date(NOW - ago * 60_000).toISOString();

export function clusterFacts(over: Partial<StatusFacts> = {}): StatusFacts {
  return {
    generatedAt: new Date(NOW + 12_000).toISOString(),
    transport: 'amqp',
    frontEnd: { instance: 'fe-host/41', ready: true, rpcInFlight: 1, brokerAddress: '127.0.0.1:50002' },
    backEnd: {
      ok: true,
      status: {
        backEnd: { instance: 'be-host/51', startedAt: minute(90) },
        database: {
          source: 'patroni',
          primary: 'node-2',
          nodes: [
            { name: 'node-1', role: 'standby', state: 'stopped', lagBytes: null },
            { name: 'node-2', role: 'primary', state: 'running', host: '127.0.0.1:5433' },
            { name: 'node-3', role: 'standby', state: 'streaming', host: '127.0.0.1:5434', lagBytes: 16384 },
          ],
        },
        authEvents: [],
        authEventsPerMinute: [
          { minute: minute(3), counts: { login_success: 12, login_failure: 2 } },
          { minute: minute(2), counts: { login_success: 4, lockout: 1 } },
        ],
      },
    },
    broker: {
      available: true,
      via: '127.0.0.1:15672',
      nodes: [
        { name: 'rabbit@n1', running: true, alarms: [] },
        { name: 'rabbit@n2', running: false, alarms: [] },
        { name: 'rabbit@n3', running: true, alarms: [] },
      ],
      queue: { name: 'request', type: 'quorum', messages: 0, ready: 0, unacknowledged: 0, consumers: 2, leader: 'rabbit@n3' },
      frontEnds: [
        { peer: '127.0.0.1:50001', state: 'running' },
        { peer: '127.0.0.1:50002', state: 'running' },
        { peer: '127.0.0.1:50003', state: 'running' },
      ],
      backEnds: [
        { peer: '127.0.0.1:50011', state: 'running', consumers: 1 },
        { peer: '127.0.0.1:50012', state: 'running', consumers: 1 },
        { peer: '127.0.0.1:50013', state: 'running', consumers: 0 },
      ],
    },
    traffic: Array.from({ length: 60 }, (_, i) => ({
      minute: minute(59 - i),
      requests: i >= 55 ? 40 + i : 0,
      clientErrors: i === 57 ? 3 : 0,
      serverErrors: i === 58 ? 7 : 0,
    })),
    primaryChanges: [{ at: new Date(NOW - 60_000 + 20_000).toISOString(), from: 'node-1', to: 'node-2' }],
    ...over,
  };
}

export function reportOf(facts: StatusFacts): StatusReport {
  const tiers = tiersOf(facts);
  return { ...facts, tiers, sections: toSections({ ...facts, tiers }) };
}

/** Writes the drawn fixture as a page, for a look in a browser: `tsx cluster-report.ts out.html`. */
export function previewHtml(report: StatusReport): string {
  const p = pictureOf(report);
  return `<!doctype html><link rel="stylesheet" href="style.css"><main><div class="status-page">${p.topology.wide}${p.topology.narrow}<div class="charts">${p.charts.map((c) => `<figure>${c}</figure>`).join('')}</div></div></main>`;
}
