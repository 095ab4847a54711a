import type { DatabaseNode, DatabasePromotion } from '@gatehouse/protocol';

/** A member of Patroni's GET /cluster answer (Patroni 3). */
interface PatroniMember {
  name: string;
  role: string;
  state?: string;
  host?: string;
  port?: number;
  lag?: number | string;
}

const PRIMARY_ROLES = new Set(['leader', 'master', 'standby_leader']);

export interface PatroniCluster {
  primary?: string;
  nodes: DatabaseNode[];
  /** The latest promotions from Patroni's timeline history; absent when it could not be read. */
  promotions?: DatabasePromotion[];
}

/** Promotions kept: /status charts the last hour, and a drill seldom has more than a few. */
const PROMOTIONS = 10;

/**
 * The cluster as the first Patroni REST API that answers describes it: every member, its role,
 * its state and its lag in bytes. Throws when none answers, naming what each said.
 */
export async function patroniCluster(urls: readonly string[], timeoutMs = 2000): Promise<PatroniCluster> {
  const failures: string[] = [];
  for (const url of urls) {
    try {
      const res = await fetch(`${url.replace(/\/$/, '')}/cluster`, { signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body = (await res.json()) as { members?: PatroniMember[] };
      const promotions = await patroniPromotions(url, timeoutMs);
      return { ...fromMembers(body.members ?? []), ...(promotions ? { promotions } : {}) };
    } catch (err) {
      failures.push(`${new URL(url).host}: ${(err as Error).message}`);
    }
  }
  throw new Error(`no Patroni REST API answered (${failures.join('; ')})`);
}

function fromMembers(members: PatroniMember[]): PatroniCluster {
  const nodes = members.map((m): DatabaseNode => {
    const primary = PRIMARY_ROLES.has(m.role);
    return {
      name: m.name,
      role: primary ? 'primary' : 'standby',
      state: m.state,
      ...(m.host ? { host: m.port ? `${m.host}:${m.port}` : m.host } : {}),
      ...(primary ? {} : { lagBytes: typeof m.lag === 'number' ? m.lag : null }),
    };
  });
  return { primary: nodes.find((n) => n.role === 'primary')?.name, nodes };
}

/**
 * GET /history: one entry per timeline switch, `[timeline, lsn, reason, timestamp, new_leader]`
 * (Patroni adds the new leader's name from 2.1 on). The switches are when a new primary took
 * over, which /status marks on its charts even if nobody was watching at the time. Undefined
 * when the history cannot be read: the picture then relies on its own readings.
 */
async function patroniPromotions(url: string, timeoutMs: number): Promise<DatabasePromotion[] | undefined> {
  try {
    const res = await fetch(`${url.replace(/\/$/, '')}/history`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return undefined;
    const entries = (await res.json()) as unknown[][];
    return entries.slice(-PROMOTIONS).flatMap(([timeline, , , at, leader]) => {
      if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) return [];
      return [{ at: new Date(at).toISOString(), timeline: Number(timeline) + 1, ...(typeof leader === 'string' ? { node: leader } : {}) }];
    });
  } catch {
    return undefined;
  }
}
