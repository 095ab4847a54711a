import { HEALTH_WORDS, topologyOf, type TopologyTier } from './topology.js';
import { clock, trafficChartsOf, type TrafficCharts } from './traffic-series.js';
import type { Health, StatusReport } from './types.js';

/**
 * The /status picture for a terminal (`npm run status`): the topology as indented lists with a
 * shape per health, and each traffic series as a one-line chart, a character per minute.
 * Colour only when asked (a TTY); the shapes and words carry the meaning without it.
 */
export interface TerminalOptions {
  color: boolean;
}

type Source = Pick<StatusReport, 'generatedAt' | 'tiers' | 'traffic' | 'backEnd' | 'primaryChanges'>;

const SHAPES: Record<Health, string> = { ok: '●', degraded: '▲', down: '✕', unknown: '?' };
const COLOURS: Record<Health, string> = { ok: '32', degraded: '33', down: '31', unknown: '2' };
const BARS = ' ▁▂▃▄▅▆▇█';
const LABEL_WIDTH = 15;

export function terminalPicture(report: Source, { color }: TerminalOptions): string {
  const paint = (code: string, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const topology = topologyOf(report);
  const tiers = topology.tiers.flatMap((tier) => tierLines(tier, paint));
  const charts = chartLines(trafficChartsOf(report), paint);
  return [paint('1', 'TOPOLOGY  Front Ends → Messaging → Back Ends → Database'), ...tiers, '', ...charts].join('\n');
}

type Paint = (code: string, text: string) => string;

function tierLines(tier: TopologyTier, paint: Paint): string[] {
  const mark = (health: Health, text: string) => paint(COLOURS[health], `${SHAPES[health]} ${text}`);
  const head = `${paint('1', tier.title)}  ${mark(tier.health, HEALTH_WORDS[tier.health])} · ${tier.boxes.length} replica${tier.boxes.length === 1 ? '' : 's'}`;
  const width = Math.max(0, ...tier.boxes.map((b) => b.id.length));
  const boxes = tier.boxes.map((b) => {
    const marks = b.marks.length ? `  ${paint('1', b.marks.map((m) => m.toUpperCase()).join(' · '))}` : '';
    const facts = b.facts.length ? `  ${b.facts.join(' · ')}` : '';
    return `  ${mark(b.health, b.id.padEnd(width))}  ${b.status}${marks}${facts}`;
  });
  const note = tier.note ? [`  ${paint('2', tier.note)}`] : [];
  return [head, ...(boxes.length ? boxes : ['  (none visible)']), ...note];
}

function chartLines(charts: TrafficCharts, paint: Paint): string[] {
  const n = charts.minutes.length;
  if (n === 0) return [];
  const first = clock(charts.minutes[0]!);
  const last = clock(charts.minutes[n - 1]!);
  const lines = charts.series.map((s) => {
    const peak = Math.max(0, ...s.values);
    const line = s.values.map((v) => (v === 0 ? BARS[0] : BARS[Math.max(1, Math.round((v / peak) * (BARS.length - 1)))])).join('');
    return `  ${s.title.padEnd(LABEL_WIDTH)}${line}  peak ${peak}`;
  });
  const events = Array.from({ length: n }, () => ' ');
  for (const i of charts.errorMinutes) events[i] = 'x';
  for (const m of charts.primaryChanges) events[m.index] = events[m.index] === 'x' ? '!' : '^';
  const legend = [
    charts.errorMinutes.length ? 'x: minutes with 5xx answers' : '',
    ...charts.primaryChanges.map((m) => `^ ${clock(charts.minutes[m.index]!)}: ${m.label}`),
  ].filter(Boolean);
  return [
    paint('1', `TRAFFIC  per minute, ${first}–${last} UTC, one character a minute`),
    ...lines,
    ...(legend.length ? [`  ${''.padEnd(LABEL_WIDTH)}${paint('31', events.join(''))}`, ...legend.map((l) => `  ${l}`)] : []),
  ];
}
