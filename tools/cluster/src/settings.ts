import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from './files.js';
import { BACK_END_VARIABLES } from '@gatehouse/back-end/config';
import { FRONT_END_VARIABLES } from '@gatehouse/front-end/config';
import { MAILER_VARIABLES } from '@gatehouse/mailer/config';

/** What the cluster decides itself: addresses, ports, secrets and the queue's type. */
const OWN = new Set([
  'AMQP_URL', 'DATABASE_URL', 'DATABASE_READ_URL', 'PORT', 'HOST', 'HEALTH_PORT', 'HEALTH_HOST',
  'SESSION_SECRET', 'REQUEST_QUEUE_MODE', 'TLS_CERT_FILE', 'TLS_KEY_FILE',
  'ADMIN_TOKEN', 'RABBITMQ_MANAGEMENT_URL', 'RABBITMQ_MONITOR_USER', 'RABBITMQ_MONITOR_PASSWORD', 'PATRONI_URLS',
  'ETCD_URLS', 'HAPROXY_STATS_URL',
]);

/**
 * Front End, Back End and Mailer settings a caller may pass through `up` or `start` (for example to turn
 * the rate limit off for a load test, or SMTP_URL for a real SMTP server): every variable the
 * tiers read, but the cluster's own.
 */
export const PASS_THROUGH = [...new Set([...FRONT_END_VARIABLES, ...BACK_END_VARIABLES, ...MAILER_VARIABLES])].filter((name) => !OWN.has(name));

const file = (dataDir: string) => join(dataDir, 'settings.json');

/** The settings saved at earlier starts, overridden by those in `env` now; saved for the next start. */
export async function mergeSettings(dataDir: string, env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const saved = existsSync(file(dataDir)) ? (JSON.parse(await readFile(file(dataDir), 'utf8')) as Record<string, string>) : {};
  const given = Object.fromEntries(PASS_THROUGH.flatMap((name) => (env[name] !== undefined ? [[name, env[name]!]] : [])));
  const merged = { ...saved, ...given };
  await writeFileAtomically(file(dataDir), `${JSON.stringify(merged, null, 2)}\n`);
  return merged;
}
