import type { Sql } from 'postgres';

/** One row of the primary's pg_stat_replication: a standby streaming from it. */
export interface ReplicationRow {
  name: string;
  client: string | null;
  state: string | null;
  syncState: string | null;
  /** Null where PostgreSQL hides the detail (a role without pg_read_all_stats). */
  lagBytes: number | null;
  lagSeconds: number | null;
}

/** Who a connection reached: its address and whether it is a standby (in recovery). */
export interface ServerIdentity {
  address: string;
  inRecovery: boolean;
}

/** The standbys streaming from the server `sql` reaches (the primary), with their replay lag. */
export async function replicationRows(sql: Sql): Promise<ReplicationRow[]> {
  return sql<ReplicationRow[]>`
    SELECT coalesce(nullif(application_name, ''), client_addr::text, 'standby') AS name,
           client_addr::text AS client, state, sync_state AS "syncState",
           pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 AS "lagBytes",
           extract(epoch FROM replay_lag)::float8 AS "lagSeconds"
    FROM pg_stat_replication ORDER BY 1`;
}

/** The server `sql` reaches, as it describes itself (a Unix socket has no address). */
export async function serverIdentity(sql: Sql): Promise<ServerIdentity> {
  const [row] = await sql<{ addr: string | null; port: number | null; inRecovery: boolean }[]>`
    SELECT inet_server_addr()::text AS addr, inet_server_port() AS port, pg_is_in_recovery() AS "inRecovery"`;
  const address = row?.addr ? `${row.addr.replace(/\/\d+$/, '')}:${row.port}` : 'local socket';
  return { address, inRecovery: row?.inRecovery ?? false };
}

/** Auth events per minute and kind over the last `minutes` minutes (the current one included). */
export async function authEventsPerMinute(sql: Sql, minutes: number): Promise<{ minute: Date; event: string; n: number }[]> {
  return sql<{ minute: Date; event: string; n: number }[]>`
    SELECT date_trunc('minute', at) AS minute, event, count(*)::int AS n FROM auth_events
    WHERE at >= date_trunc('minute', now()) - make_interval(mins => ${minutes - 1})
    GROUP BY 1, 2 ORDER BY 1, 2`;
}
