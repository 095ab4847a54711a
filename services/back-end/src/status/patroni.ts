import type { DatabaseNode } from '@gatehouse/protocol';

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
}

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
      return fromMembers(body.members ?? []);
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
