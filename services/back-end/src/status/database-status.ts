import { replicationRows, serverIdentity, type Database } from '@gatehouse/database';
import type { DatabaseNode, DatabaseStatus, InfrastructureNode } from '@gatehouse/protocol';
import { etcdMembers } from './etcd.js';
import { haproxyNode } from './haproxy.js';
import { patroniCluster } from './patroni.js';

/** Where the Back End learns the database's topology. */
export interface StatusSources {
  /** Patroni REST API URLs (PATRONI_URLS); empty: no Patroni, ask PostgreSQL. */
  patroniUrls: readonly string[];
  /** etcd's client URLs (ETCD_URLS) and HAProxy's stats page (HAPROXY_STATS_URL): drawn beside the database when given. */
  etcdUrls?: readonly string[];
  haproxyStatsUrl?: string;
  /** npm start's embedded PostgreSQL: one node, no replication. */
  embedded?: boolean;
}

const NO_STANDBYS = 'no standbys';

/** The database's topology, and the etcd members and HAProxy it depends on when their addresses are known. */
export async function databaseStatus(db: Database, sources: StatusSources): Promise<DatabaseStatus> {
  const [status, infrastructure] = await Promise.all([postgresStatus(db, sources), infrastructureOf(sources)]);
  return infrastructure.length ? { ...status, infrastructure } : status;
}

async function infrastructureOf(sources: StatusSources): Promise<InfrastructureNode[]> {
  const [etcd, haproxy] = await Promise.all([
    sources.etcdUrls?.length ? etcdMembers(sources.etcdUrls) : [],
    sources.haproxyStatsUrl ? haproxyNode(sources.haproxyStatsUrl).then((n) => [n]) : [],
  ]);
  return [...haproxy, ...etcd];
}

/** Which node is the primary and how far each standby lags, from Patroni when it runs, else from PostgreSQL. */
async function postgresStatus(db: Database, sources: StatusSources): Promise<DatabaseStatus> {
  if (sources.embedded) {
    return { source: 'embedded', primary: 'embedded', nodes: [{ name: 'embedded', role: 'primary', state: 'running' }], note: `${NO_STANDBYS}: npm start's embedded PostgreSQL (PGlite) does not replicate` };
  }
  let patroniProblem: string | undefined;
  if (sources.patroniUrls.length > 0) {
    try {
      const cluster = await patroniCluster(sources.patroniUrls);
      const standbys = cluster.nodes.filter((n) => n.role !== 'primary').length;
      return { source: 'patroni', ...cluster, ...(standbys === 0 ? { note: NO_STANDBYS } : {}) };
    } catch (err) {
      patroniProblem = `${(err as Error).message}; read from PostgreSQL instead`;
    }
  }
  return fromPostgres(db, patroniProblem);
}

/** The primary's own pg_stat_replication, and the read pool's server when it is a separate standby. */
async function fromPostgres(db: Database, problem: string | undefined): Promise<DatabaseStatus> {
  const notes = problem ? [problem] : [];
  const primary = await db.primary((sql) => serverIdentity(sql));
  const nodes: DatabaseNode[] = [{ name: primary.address, role: primary.inRecovery ? 'standby' : 'primary', state: 'running' }];
  const rows = await db.primary((sql) => replicationRows(sql)).catch((err: Error) => {
    notes.push(`pg_stat_replication could not be read: ${err.message}`);
    return [];
  });
  for (const row of rows) {
    nodes.push({ name: row.name, role: 'standby', state: row.state ?? 'unknown', ...(row.client ? { host: row.client } : {}), lagBytes: row.lagBytes, lagSeconds: row.lagSeconds });
  }
  if (rows.some((r) => r.state === null)) notes.push('PostgreSQL hides replication details from this role: grant it pg_read_all_stats');
  if (rows.length === 0) notes.push(NO_STANDBYS);
  return { source: 'pg_stat_replication', primary: primary.inRecovery ? undefined : primary.address, nodes, note: notes.join('; ') };
}
