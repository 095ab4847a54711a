import { join } from 'node:path';
import { nodeDir, type ClusterPlan, type NodeSpec } from '../plan.js';
import type { ClusterSecrets } from '../secrets.js';
import { HOST } from './context.js';
import { DB_ROLES, PATRONI_DCS, PATRONI_INITDB } from '@gatehouse/operations';

export const PG_BIN = '/usr/lib/postgresql/15/bin';
export const pgName = (i: number) => `pg${i + 1}`;
export const patroniUrl = (plan: ClusterPlan, i: number) => `http://${HOST}:${plan.ports.postgres[i]!.rest}`;
export const patroniScope = (plan: ClusterPlan) => `gatehouse-${plan.id}`;
export const pgDataDir = (plan: ClusterPlan, node: NodeSpec) => join(nodeDir(plan, node.name), 'data');

/**
 * One node's Patroni configuration (JSON is valid YAML). The `bootstrap.dcs` part is read only
 * when the cluster is first created; later changes go through `patronictl edit-config`.
 */
export function patroniConfig(plan: ClusterPlan, secrets: ClusterSecrets, node: NodeSpec): object {
  const dir = nodeDir(plan, node.name);
  const { sql, rest } = plan.ports.postgres[node.index]!;
  return {
    scope: patroniScope(plan),
    namespace: '/gatehouse/',
    name: node.name,
    restapi: {
      listen: `${HOST}:${rest}`,
      connect_address: `${HOST}:${rest}`,
      // Unsafe endpoints (switchover, restart, config) need these; reads such as /primary do not.
      authentication: { username: 'patroni', password: secrets.patroniRestApi },
    },
    ctl: { authentication: { username: 'patroni', password: secrets.patroniRestApi } },
    // etcd's v2 API, not etcd3: Debian's Patroni 3.0.2 renews an etcd3 leader key without comparing its
    // revision, so a primary frozen past the TTL took the key back from its successor on waking (the
    // chaos test's SIGSTOP scenario lost writes that way). The v2 renewal is a compare-and-swap.
    etcd: { hosts: plan.ports.etcd.map((p) => `${HOST}:${p.client}`) },
    bootstrap: {
      dcs: PATRONI_DCS,
      initdb: PATRONI_INITDB,
    },
    postgresql: {
      listen: `${HOST}:${sql}`,
      connect_address: `${HOST}:${sql}`,
      data_dir: join(dir, 'data'),
      bin_dir: PG_BIN,
      pgpass: join(dir, 'pgpass'),
      authentication: {
        superuser: { username: DB_ROLES.superuser, password: secrets.postgresSuperuser },
        replication: { username: DB_ROLES.replication, password: secrets.postgresReplication },
        rewind: { username: DB_ROLES.rewind, password: secrets.postgresRewind },
      },
      pg_hba: [
        'local all all peer',
        `host replication replicator ${HOST}/32 scram-sha-256`,
        `host all all ${HOST}/32 scram-sha-256`,
      ],
      parameters: {
        unix_socket_directories: join(dir, 'sock'),
        password_encryption: 'scram-sha-256',
        logging_collector: 'on',
        log_directory: join(dir, 'log'),
        log_filename: 'postgresql.log',
      },
    },
    watchdog: { mode: 'off' },
    tags: { nofailover: false, noloadbalance: false, clonefrom: false, nosync: false },
  };
}

