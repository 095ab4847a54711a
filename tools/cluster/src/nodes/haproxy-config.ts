import { join } from 'node:path';
import { renderHaproxyConfig } from '@gatehouse/operations';
import { nodeDir, type ClusterPlan } from '../plan.js';
import type { ClusterSecrets } from '../secrets.js';
import { HOST } from './context.js';
import { pgName } from './patroni-config.js';

/** The local cluster's HAProxy: everything on loopback, with an admin socket and a password on the stats page. */
export function haproxyConfig(plan: ClusterPlan, secrets: ClusterSecrets): string {
  const { ports } = plan;
  return renderHaproxyConfig({
    bindHost: HOST,
    ports: { dbReadWrite: ports.dbReadWrite, dbReadOnly: ports.dbReadOnly, app: ports.app, stats: ports.stats },
    postgres: ports.postgres.map((p, i) => ({ name: pgName(i), host: HOST, port: p.sql, restPort: p.rest })),
    frontEnds: ports.frontEnds.map((port, i) => ({ name: `front-end${i + 1}`, host: HOST, port })),
    statsSocket: join(nodeDir(plan, 'haproxy'), 'admin.sock'),
    statsAuth: { user: 'admin', password: secrets.haproxyStats },
  });
}
