import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Front End and Back End settings a caller may pass through `up` or `start` (for example to turn
 * the rate limit off for a load test). The addresses, ports and secrets are the cluster's own.
 */
export const PASS_THROUGH = [
  'LOG_LEVEL', 'RPC_TIMEOUT_MS', 'TRUST_PROXY', 'COOKIE_SECURE', 'RATE_LIMIT_PER_MINUTE',
  'ARGON2_MEMORY_KIB', 'ARGON2_TIME_COST', 'ARGON2_PARALLELISM',
  'SESSION_IDLE_MINUTES', 'SESSION_ABSOLUTE_HOURS', 'SHUTDOWN_DRAIN_MS',
  'PREFETCH', 'DATABASE_POOL_SIZE', 'QUERY_TIMEOUT_MS',
  'LOCKOUT_THRESHOLD', 'LOCKOUT_BASE_SECONDS', 'LOCKOUT_MAX_MINUTES', 'REQUEST_QUEUE',
] as const;

const file = (dataDir: string) => join(dataDir, 'settings.json');

/** The settings saved at earlier starts, overridden by those in `env` now; saved for the next start. */
export async function mergeSettings(dataDir: string, env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const saved = existsSync(file(dataDir)) ? (JSON.parse(await readFile(file(dataDir), 'utf8')) as Record<string, string>) : {};
  const given = Object.fromEntries(PASS_THROUGH.flatMap((name) => (env[name] !== undefined ? [[name, env[name]!]] : [])));
  const merged = { ...saved, ...given };
  await writeFile(file(dataDir), `${JSON.stringify(merged, null, 2)}\n`);
  return merged;
}
