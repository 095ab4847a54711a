/**
 * The Patroni settings every deployment shares (local cluster, compose, Kubernetes). The
 * `bootstrap.dcs` part is read only when a cluster is first created; later changes go through
 * `patronictl edit-config`. test/deploy checks the committed YAML against these.
 */
export const PATRONI_DCS = {
  // Failover in about 10 s: the leader key lives 10 s and is renewed every 2 s.
  ttl: 10,
  loop_wait: 2,
  retry_timeout: 4,
  maximum_lag_on_failover: 1048576,
  // A commit is acknowledged only once a standby has it, so losing the primary loses no acknowledged write.
  synchronous_mode: true,
  // With the DCS gone, a primary that still reaches every member keeps its role.
  failsafe_mode: true,
  postgresql: {
    use_pg_rewind: true,
    use_slots: true,
    parameters: { wal_log_hints: 'on', max_connections: 200, hot_standby: 'on', wal_keep_size: '128MB' },
  },
} as const;

export const PATRONI_INITDB = [{ encoding: 'UTF8' }, { locale: 'C.UTF-8' }, 'data-checksums'] as const;

/** PostgreSQL roles Patroni manages, and the application's own. */
export const DB_ROLES = {
  superuser: 'postgres',
  replication: 'replicator',
  rewind: 'rewinder',
  app: 'gatehouse',
} as const;

/** The application's database, owned by DB_ROLES.app. */
export const APP_DATABASE = 'gatehouse';
