/**
 * deploy/compose/haproxy.cfg and load-balancer.cfg, rendered by the code that configures the local
 * cluster's HAProxy, so the two cannot drift apart (test/deploy/compose.test.ts compares them).
 * Regenerate: npx tsx --conditions=gatehouse-source scripts/render-compose-haproxy.ts
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderHaproxyConfig, type HaproxyLayout } from '@gatehouse/operations';

const COMMON = {
  bindHost: '*',
  // The app port is the Front Ends' own, so the published port means the same in both compose files.
  ports: { dbReadWrite: 5000, dbReadOnly: 5001, app: 3000, stats: 8404 },
  // Docker's DNS: members that restart come back with new addresses.
  dnsServer: '127.0.0.11:53',
} as const;

/** The database proxy, `haproxy` on the database network: db-rw (5000) and db-r (5001) for the Back Ends. */
export const DATABASE_PROXY: HaproxyLayout = {
  ...COMMON,
  postgres: [1, 2, 3].map((i) => ({ name: `db${i}`, host: `db${i}`, port: 5432, restPort: 8008 })),
  frontEnds: [],
};

/** The Front Ends' balancer, `load-balancer`, published on the host; it adds X-Forwarded-For (TRUST_PROXY=1). */
export const LOAD_BALANCER: HaproxyLayout = {
  ...COMMON,
  postgres: [],
  frontEnds: [1, 2, 3].map((i) => ({ name: `front-end-${i}`, host: `front-end-${i}`, port: 3000 })),
  forwardFor: true,
};

const HEADER = [
  '# Rendered by scripts/render-compose-haproxy.ts from packages/operations/src/haproxy-config.ts;',
  '# edit those and regenerate, not this file. The stats page has no password: ha.yml publishes it',
  '# on 127.0.0.1 only, and it is read-only.',
  '',
].join('\n');

export const COMPOSE_HAPROXY_FILES = {
  'deploy/compose/haproxy.cfg': HEADER + renderHaproxyConfig(DATABASE_PROXY),
  'deploy/compose/load-balancer.cfg': HEADER + renderHaproxyConfig(LOAD_BALANCER),
} as const;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  for (const [path, text] of Object.entries(COMPOSE_HAPROXY_FILES)) writeFileSync(root + path, text);
}
