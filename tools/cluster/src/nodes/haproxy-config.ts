import { join } from 'node:path';
import { nodeDir, type ClusterPlan } from '../plan.js';
import type { ClusterSecrets } from '../secrets.js';
import { HOST } from './context.js';
import { pgName } from './patroni-config.js';

/**
 * Fast checks (1 s, down after two misses) and `shutdown-sessions`: when a node is marked down
 * its connections are cut, so no client keeps talking to a demoted primary.
 */
const CHECKS = 'default-server inter 1s fastinter 500ms downinter 1s fall 2 rise 1 on-marked-down shutdown-sessions';

/** The textbook's db-rw and db-r, checked against Patroni's REST API, and the Front Ends' load balancer. */
export function haproxyConfig(plan: ClusterPlan, secrets: ClusterSecrets): string {
  const { ports } = plan;
  const pg = ports.postgres.map((p, i) => ({ name: pgName(i), sql: p.sql, rest: p.rest }));
  return [
    'global',
    '  maxconn 4000',
    `  stats socket ${join(nodeDir(plan, 'haproxy'), 'admin.sock')} mode 600 level admin`,
    '',
    'defaults',
    '  mode tcp',
    '  timeout connect 2s',
    '  timeout check 2s',
    // Database sessions are long-lived pool connections.
    '  timeout client 30m',
    '  timeout server 30m',
    '',
    'listen db-rw',
    `  bind ${HOST}:${ports.dbReadWrite}`,
    // One retry (each waits a second): a client that reached a dead server should learn it soon.
    '  retries 1',
    '  option httpchk',
    '  http-check send meth GET uri /primary',
    '  http-check expect status 200',
    `  ${CHECKS}`,
    ...pg.map((n) => `  server ${n.name} ${HOST}:${n.sql} check port ${n.rest}`),
    '',
    'listen db-r',
    `  bind ${HOST}:${ports.dbReadOnly}`,
    '  retries 1',
    '  option redispatch',
    '  balance roundrobin',
    '  option httpchk',
    // A standby more than 1 MB behind is taken out of the read pool.
    '  http-check send meth GET uri /replica?lag=1MB',
    '  http-check expect status 200',
    `  ${CHECKS}`,
    ...pg.map((n) => `  server ${n.name} ${HOST}:${n.sql} check port ${n.rest}`),
    // With no standby healthy, reads go to the primary (its state tracked from db-rw).
    ...pg.map((n) => `  server ${n.name}-primary ${HOST}:${n.sql} backup track db-rw/${n.name}`),
    '',
    'frontend app',
    '  mode http',
    `  bind ${HOST}:${ports.app}`,
    '  timeout client 30s',
    '  timeout http-request 10s',
    '  default_backend front-ends',
    '',
    'backend front-ends',
    '  mode http',
    '  balance roundrobin',
    '  timeout server 30s',
    '  option httpchk',
    '  http-check send meth GET uri /readyz',
    '  http-check expect status 200',
    // A request that could not reach a Front End at all is sent to another one.
    '  retries 2',
    '  option redispatch',
    '  retry-on conn-failure',
    '  default-server inter 1s fastinter 500ms downinter 1s fall 2 rise 1 on-marked-down shutdown-sessions',
    ...ports.frontEnds.map((port, i) => `  server front-end${i + 1} ${HOST}:${port} check`),
    '',
    'listen stats',
    '  mode http',
    `  bind ${HOST}:${ports.stats}`,
    '  timeout client 30s',
    '  stats enable',
    '  stats uri /',
    '  stats refresh 5s',
    `  stats auth admin:${secrets.haproxyStats}`,
    '',
  ].join('\n');
}
