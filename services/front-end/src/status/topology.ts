import { DATABASE_SUPPORT } from './tiers.js';
import type { Health, StatusReport, Tier } from './types.js';

/** A replica as the picture draws it: one box. */
export interface TopologyBox {
  id: string;
  health: Health;
  /** The health in words, so colour is never the only sign: "healthy", "down", "not consuming". */
  status: string;
  /** Primary, leads the request queue, this one. */
  marks: string[];
  /** Consumers, lag, in-process. */
  facts: string[];
}

export interface TopologyTier {
  key: 'front-end' | 'messaging' | 'back-end' | 'database' | 'support';
  title: string;
  health: Health;
  boxes: TopologyBox[];
  /** What this tier's reading could not see, or where it came from. */
  note?: string;
}

/** The tiers in the order a request travels them, for the SVG and the terminal. */
export interface Topology {
  generatedAt: string;
  tiers: TopologyTier[];
}

const ORDER = [
  { key: 'front-end', name: 'Front End', title: 'Front Ends' },
  { key: 'messaging', name: 'Messaging', title: 'Messaging' },
  { key: 'back-end', name: 'Back End', title: 'Back Ends' },
  { key: 'database', name: 'Database', title: 'Database' },
] as const;

/** Drawn under the database when the Back End can see them (the local cluster, compose's HA demo). */
const SUPPORT = { key: 'support', name: DATABASE_SUPPORT, title: 'HAProxy and etcd' } as const;

/** The picture's model, from a report (or /status.json, for `npm run status`): pure, no drawing. */
export function topologyOf(report: Pick<StatusReport, 'generatedAt' | 'tiers'>): Topology {
  const tiers = ORDER.map(({ key, name, title }) => {
    const tier = report.tiers.find((t) => t.name === name);
    return tier ? toTier(key, title, tier) : { key, title, health: 'unknown' as const, boxes: [], note: 'not reported' };
  });
  const support = report.tiers.find((t) => t.name === SUPPORT.name);
  return { generatedAt: report.generatedAt, tiers: support ? [...tiers, toTier(SUPPORT.key, SUPPORT.title, support)] : tiers };
}

function toTier(key: TopologyTier['key'], title: string, tier: Tier): TopologyTier {
  const boxes = tier.replicas.map((r) => ({ id: r.id, health: healthOf(r.health), status: r.health === 'ok' ? 'healthy' : r.health, marks: r.marks ?? [], facts: r.facts ?? [] }));
  return { key, title, health: tier.health, boxes, ...(tier.note ? { note: tier.note } : {}) };
}

/** Words that mean a replica is gone rather than merely unwell. */
const DOWN = /down|gone|not running|stopped|crashed|closed|not answering|disconnected|blocked/;

/** A replica's health word as one of the picture's three states (and unknown). */
export function healthOf(word: string): Health {
  if (word === 'ok') return 'ok';
  if (word === 'unknown') return 'unknown';
  return DOWN.test(word) ? 'down' : 'degraded';
}

/** The tier's health in words, for titles and the terminal. */
export const HEALTH_WORDS: Record<Health, string> = { ok: 'healthy', degraded: 'degraded', down: 'down', unknown: 'unknown' };

/** One sentence per tier, for the SVG's <desc> and screen readers. */
export function describeTopology(topology: Topology): string {
  return topology.tiers
    .map((t) => {
      const boxes = t.boxes.map((b) => [b.id, b.status, ...b.marks, ...b.facts].join(', '));
      return `${t.title} (${HEALTH_WORDS[t.health]}): ${boxes.length ? boxes.join('; ') : 'none visible'}.`;
    })
    .join(' ');
}
