import { describe, expect, it } from 'vitest';
import { chartSvg, niceMax } from '../../src/status/charts-svg.js';
import { terminalPicture } from '../../src/status/terminal.js';
import { topologySvg } from '../../src/status/topology-svg.js';
import { healthOf, topologyOf } from '../../src/status/topology.js';
import { trafficChartsOf } from '../../src/status/traffic-series.js';
import { clusterFacts, reportOf } from './cluster-report.js';

/** The renderers are pure functions of a report: these draw a cluster in the middle of a drill. */
const report = reportOf(clusterFacts());
const topology = topologyOf(report);
const tier = (key: string) => topology.tiers.find((t) => t.key === key)!;
/** A box's <g> in the SVG, by the replica's id. */
const boxIn = (svg: string, id: string) => svg.match(new RegExp(`<g class="box [^"]*" data-id="${id}"[^>]*>.*?</g>`))?.[0] ?? '';

describe('the topology model', () => {
  it('orders the tiers as a request travels, and marks the primary, the queue\'s leader and this Front End', () => {
    expect(topology.tiers.map((t) => t.title)).toEqual(['Front Ends', 'Messaging', 'Back Ends', 'Database']);
    expect(tier('database').boxes.find((b) => b.marks.includes('primary'))?.id).toBe('node-2');
    expect(tier('database').boxes.find((b) => b.id === 'node-3')?.facts).toEqual(['lag 16384 B']);
    expect(tier('messaging').boxes.find((b) => b.marks.length)?.id).toBe('rabbit@n3');
    expect(tier('front-end').boxes.filter((b) => b.marks.includes('this one')).map((b) => b.id)).toEqual(['127.0.0.1:50002']);
    expect(tier('back-end').boxes.map((b) => [b.health, b.facts[0]])).toEqual([['ok', '1 consumer'], ['ok', '1 consumer'], ['degraded', '0 consumers']]);
  });

  it('tells down from degraded by the words the readings use', () => {
    expect(['ok', 'stopped', 'down', 'not consuming', 'alarm: memory', 'unknown'].map(healthOf)).toEqual(['ok', 'down', 'down', 'degraded', 'degraded', 'unknown']);
  });

  it('in npm start, draws one in-process box per tier', () => {
    const embedded = topologyOf(reportOf(clusterFacts({ transport: 'in-process', broker: { available: false, reason: 'in-process' }, frontEnd: { instance: 'me/1', ready: true, rpcInFlight: 0 } })));
    expect(embedded.tiers.slice(0, 3).map((t) => [t.boxes.length, t.boxes[0]?.facts])).toEqual([[1, ['in-process']], [1, ['in-process']], [1, ['in-process']]]);
  });
});

describe('HAProxy and etcd, when the Back End reads them', () => {
  const facts = clusterFacts();
  if (!facts.backEnd.ok) throw new Error('the fixture has a Back End');
  facts.backEnd.status.database.infrastructure = [
    { name: 'haproxy', kind: 'haproxy', role: 'load balancer', state: 'running', facts: ['writes → node-2'] },
    { name: 'etcd1', kind: 'etcd', role: 'leader', state: 'running' },
    { name: 'etcd2', kind: 'etcd', role: 'member', state: 'not answering' },
  ];
  const withSupport = topologyOf(reportOf(facts));

  it('are a fifth tier, after the database, that says where the writes go and which etcd member leads', () => {
    expect(withSupport.tiers.map((t) => t.title)).toEqual(['Front Ends', 'Messaging', 'Back Ends', 'Database', 'HAProxy and etcd']);
    const support = withSupport.tiers[4]!;
    expect(support.health).toBe('degraded');
    expect(support.boxes.map((b) => [b.id, b.health, b.marks, b.facts])).toEqual([
      ['haproxy', 'ok', [], ['writes → node-2']],
      ['etcd1', 'ok', ['etcd leader'], ['etcd']],
      ['etcd2', 'down', [], ['etcd member']],
    ]);
    expect(topology.tiers).toHaveLength(4); // without them, nothing is drawn for them
  });

  it('are drawn under the database\'s column on a wide screen, joined to it by a line', () => {
    const svg = topologySvg(withSupport, 'wide');
    const x = (key: string) => Number(svg.match(new RegExp(`data-tier="${key}"><text x="(\\d+)"`))?.[1]);
    expect(x('database')).toBeGreaterThan(600); // the fourth column (and a number: NaN would equal NaN)
    expect(x('support')).toBe(x('database'));
    const y = (id: string) => Number(boxIn(svg, id).match(/<rect x="\d+" y="(\d+)"/)?.[1]);
    expect(y('node-3')).toBeGreaterThan(0);
    expect(y('etcd1')).toBeGreaterThan(y('node-3'));
  });
});

describe('the topology as SVG', () => {
  const svg = topologySvg(topology, 'wide');

  it('is an image with a title and a description naming every replica', () => {
    expect(svg).toMatch(/^<svg [^>]*role="img" aria-labelledby="topology-wide-title topology-wide-desc"/);
    expect(svg).toContain('<title id="topology-wide-title">Topology: Front Ends healthy, Messaging degraded, Back Ends degraded, Database degraded</title>');
    for (const id of ['node-1', 'node-2', 'node-3', 'rabbit@n2', '127.0.0.1:50013']) expect(svg.match(/<desc[^>]*>(.*?)<\/desc>/)?.[1]).toContain(id);
  });

  it('says each health in words and shapes as well as colour', () => {
    expect(boxIn(svg, 'node-1')).toMatch(/class="box h-down".*class="icon-stroke".*>stopped</);
    expect(boxIn(svg, 'node-2')).toMatch(/class="box h-ok marked".*<circle [^>]*class="icon".*>healthy<.*>primary</);
    expect(boxIn(svg, '127.0.0.1:50013')).toMatch(/class="box h-degraded".*<path [^>]*class="icon".*>not consuming<.*>0 consumers</);
  });

  it('escapes what the readings say, and draws no inline styles (the CSP refuses them)', () => {
    const hostile = topologyOf({ ...report, tiers: [{ name: 'Front End', health: 'ok', replicas: [{ id: '<script>&"', health: 'ok', detail: '' }] }] });
    const drawn = topologySvg(hostile, 'narrow');
    expect(drawn).not.toContain('<script>');
    expect(drawn).toContain('&lt;script&gt;&amp;&quot;');
    expect(svg + drawn).not.toMatch(/style=|<style/);
  });

  it('draws a tier nobody can see as one dashed "none visible" box', () => {
    const unseen = topologyOf(reportOf(clusterFacts({ backEnd: { ok: false, reason: 'no Back End answered' } })));
    expect(boxIn(topologySvg(unseen, 'narrow'), 'none visible')).toContain('h-unknown');
  });
});

describe('the traffic charts', () => {
  const charts = trafficChartsOf(report);

  it('carries six series over the hour, the 5xx minute and the primary\'s change', () => {
    expect(charts.series.map((s) => s.id)).toEqual(['requests', '4xx', '5xx', 'logins', 'failed-logins', 'lockouts']);
    expect(charts.series.every((s) => s.values.length === 60)).toBe(true);
    expect(charts.series.find((s) => s.id === 'logins')?.values.slice(56, 59)).toEqual([12, 4, 0]);
    expect(charts.errorMinutes).toEqual([58]);
    expect(charts.primaryChanges).toEqual([{ index: 58, label: 'primary → node-2' }]);
  });

  it('draws labelled axes, a shaded 5xx minute and a dashed line where the primary changed', () => {
    const svg = chartSvg(charts, charts.series[0]!);
    expect(svg).toMatch(/role="img"/);
    expect(svg).toContain('>minute (UTC)</text>');
    expect(svg).toContain('>count</text>');
    expect(svg).toContain('>21:01</text>');
    expect(svg).toContain('>22:00</text>');
    expect(svg.match(/class="err-band"/g)).toHaveLength(1);
    expect(svg).toMatch(/class="event-line".*>primary → node-2</);
    expect(svg).toContain('minutes with 5xx answers shaded: 21:59; primary → node-2 at 21:59');
  });

  it('takes the primary\'s changes from Patroni\'s history, and a reading of the same change only once', () => {
    const facts = clusterFacts();
    const status = facts.backEnd.ok ? facts.backEnd.status : undefined;
    const promotions = [{ at: '2026-12-06T21:58:57.000Z', timeline: 3 }];
    const withHistory = { ...facts, backEnd: { ok: true as const, status: { ...status!, database: { ...status!.database, promotions } } } };
    expect(trafficChartsOf(withHistory).primaryChanges).toEqual([{ index: 57, label: 'primary → timeline 3' }]);
  });

  it('rounds the axis up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 12, 99, 101].map(niceMax)).toEqual([1, 1, 5, 10, 20, 100, 200]);
  });
});

describe('the terminal picture', () => {
  it('draws plain text with shapes and words when there is no terminal', () => {
    const text = terminalPicture(report, { color: false });
    expect(text).not.toContain('\x1b[');
    expect(text).toMatch(/^Database {2}▲ degraded · 3 replicas$/m);
    expect(text).toMatch(/^ {2}● node-2 +healthy {2}PRIMARY$/m);
    expect(text).toMatch(/^ {2}✕ node-1 +stopped {2}lag unknown$/m);
    expect(text).toMatch(/^ {2}● 127\.0\.0\.1:50002 +healthy {2}THIS ONE$/m);
    expect(text).toMatch(/^ {2}Requests +[ ▁-█]{60} {2}peak 99$/m);
    // The failover's minute: 5xx answers and the primary's change at once.
    expect(text).toMatch(/^ +! $/m);
    expect(text).toContain('^ 21:59: primary → node-2');
  });

  it('colours each health on a terminal', () => {
    expect(terminalPicture(report, { color: true })).toContain('\x1b[31m✕ node-1');
  });
});
