import type { InfrastructureNode } from '@gatehouse/protocol';

/** One row of HAProxy's stats CSV: a proxy (pxname), one of its servers (svname), and that server's status. */
export interface HaproxyRow {
  proxy: string;
  server: string;
  status: string;
}

/** The header's columns: HAProxy has added columns over its versions, so read them by name. */
export function parseHaproxyCsv(csv: string): HaproxyRow[] {
  const [header, ...lines] = csv.trim().split('\n');
  const columns = (header ?? '').replace(/^#\s*/, '').split(',');
  const at = (name: string) => columns.indexOf(name);
  const [px, sv, st] = [at('pxname'), at('svname'), at('status')];
  if (px < 0 || sv < 0 || st < 0) throw new Error('not HAProxy stats CSV (no pxname, svname and status columns)');
  return lines.filter(Boolean).map((line) => {
    const cells = line.split(',');
    return { proxy: cells[px] ?? '', server: cells[sv] ?? '', status: cells[st] ?? '' };
  });
}

/**
 * What the load balancer in front of the database routes where (HAPROXY_STATS_URL): which
 * PostgreSQL node takes the writes now, and how many servers of each backend are up. HAProxy
 * follows Patroni's health checks, so a failover shows here a few seconds after Patroni's view.
 */
export async function haproxyNode(statsUrl: string, timeoutMs = 2000): Promise<InfrastructureNode> {
  const url = new URL(statsUrl);
  // Named by its host only when that says something (a container's name); on loopback, just "haproxy".
  const name = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) ? 'haproxy' : url.hostname;
  try {
    const rows = parseHaproxyCsv(await fetchCsv(url, timeoutMs));
    return { name, kind: 'haproxy', role: 'load balancer', state: 'running', facts: summarise(rows) };
  } catch (err) {
    return { name, kind: 'haproxy', role: 'load balancer', state: 'not answering', facts: [(err as Error).message] };
  }
}

/** Credentials in the URL become a Basic header: fetch refuses URLs that carry them. */
async function fetchCsv(url: URL, timeoutMs: number): Promise<string> {
  const target = new URL(url);
  const auth = target.username ? `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}` : undefined;
  target.username = '';
  target.password = '';
  target.pathname = `${target.pathname.replace(/;csv$/, '')};csv`;
  const res = await fetch(target, { headers: auth ? { authorization: auth } : {}, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`stats page answered HTTP ${res.status}`);
  return res.text();
}

/** The textbook's two database proxies by what they route ("writes → pg3", "reads → pg1, pg2"), any other as "front-ends 3/3 up". */
export function summarise(rows: HaproxyRow[]): string[] {
  const servers = rows.filter((r) => r.server !== 'FRONTEND' && r.server !== 'BACKEND');
  return [...new Set(servers.map((r) => r.proxy))].map((proxy) => {
    const mine = servers.filter((r) => r.proxy === proxy);
    const up = mine.filter((r) => r.status.startsWith('UP'));
    const routed = ROUTES[proxy];
    // db-r's "-primary" servers are the backup that sends reads to the primary when no standby is healthy.
    if (routed) return `${routed} → ${[...new Set(up.map((r) => r.server.replace(/-primary$/, '')))].join(', ') || 'nobody'}`;
    return `${proxy} ${up.length}/${mine.length} up`;
  });
}

const ROUTES: Record<string, string> = { 'db-rw': 'writes', 'db-r': 'reads' };
