import { tier } from './tiers.js';
import type { Replica, Tier } from './types.js';

/** How long a replica missing from the readings stays on the picture, marked gone. */
const KEEP_MS = 10 * 60_000;
/** Tiers whose replica ids are connection addresses: a reconnect gives the same process a new one. */
const BY_CONNECTION = new Set(['Front End', 'Back End']);

interface Seen {
  lastSeen: Map<string, number>;
  /** How many replicas each reading had, to tell a process that went away from one that reconnected. */
  counts: { at: number; n: number }[];
}

/**
 * Keeps a replica that the latest reading lacks on the picture for a while, marked gone: a
 * killed database node drops out of Patroni's member list, a stopped Back End out of the
 * broker's connections, and a drill wants to see which one went. A reading with no replica at
 * all (nobody could look) adds nothing: that tier is unknown, not gone. For Front Ends and Back
 * Ends only as many are kept as the tier is short of its recent peak, the most recent first,
 * since their ids are connection addresses that change when a process reconnects.
 */
export class GoneReplicas {
  readonly #tiers = new Map<string, Seen>();

  withGone(tiers: Tier[], now = Date.now()): Tier[] {
    return tiers.map((t) => (t.replicas.length ? this.#tier(t, now) : t));
  }

  #tier(current: Tier, now: number): Tier {
    let seen = this.#tiers.get(current.name);
    if (!seen) this.#tiers.set(current.name, (seen = { lastSeen: new Map(), counts: [] }));
    const present = new Set(current.replicas.map((r) => r.id));
    for (const id of present) seen.lastSeen.set(id, now);
    for (const [id, at] of seen.lastSeen) if (at < now - KEEP_MS) seen.lastSeen.delete(id);
    seen.counts = [...seen.counts.filter((c) => c.at >= now - KEEP_MS), { at: now, n: present.size }];
    let gone = [...seen.lastSeen].filter(([id]) => !present.has(id)).sort((a, b) => b[1] - a[1]);
    if (BY_CONNECTION.has(current.name)) gone = gone.slice(0, Math.max(0, ...seen.counts.map((c) => c.n)) - present.size);
    if (gone.length === 0) return current;
    return tier(current.name, [...current.replicas, ...gone.map(([id, at]) => goneReplica(id, at))], current.note);
  }
}

function goneReplica(id: string, lastSeen: number): Replica {
  const at = new Date(lastSeen).toISOString().slice(11, 19);
  return { id, health: 'gone', detail: `missing from the latest reading; last seen ${at} UTC`, facts: [`last seen ${at} UTC`] };
}
