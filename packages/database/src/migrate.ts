import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Sql } from 'postgres';
import { isConnectionFailure } from './connection-failures.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));

// Any fixed number works; every Back End must use the same one.
const MIGRATION_LOCK = 7_441_001;

export interface MigrateOptions {
  dir?: string;
  /** Each attempt waits at most this long for a lock (the advisory lock, or a table's). */
  lockTimeoutMs?: number;
  attempts?: number;
  /** First wait between attempts; doubles, with jitter, up to 10 s. */
  backoffMs?: number;
  onRetry?: (err: Error, attempt: number) => void;
}

/** Worth another attempt: a lock we gave up on, a deadlock, a server restarting or failing over. */
function isTransient(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return isConnectionFailure(err) || ['55P03', '40P01', '40001', '57P03'].includes(code as string);
}

/**
 * Applies each `NNNN_name.sql` in order, once. An advisory lock lets many Back Ends start
 * together, and one transaction means a failure leaves nothing half-applied. An attempt waits
 * at most `lockTimeoutMs` for any lock, so a stuck lock holder cannot queue every query behind
 * an ALTER; then it backs off and tries again. (postgres-shift was considered, but it takes no lock.)
 */
export async function migrate(sql: Sql, options: MigrateOptions = {}): Promise<string[]> {
  const { dir = MIGRATIONS_DIR, lockTimeoutMs = 5000, attempts = 8, backoffMs = 250, onRetry } = options;
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort();
  for (let attempt = 1; ; attempt++) {
    try {
      return await applyPending(sql, dir, files, lockTimeoutMs);
    } catch (err) {
      if (attempt >= attempts || !isTransient(err)) throw err;
      onRetry?.(err as Error, attempt);
      await sleep(Math.min(backoffMs * 2 ** (attempt - 1), 10_000) * (0.5 + Math.random() / 2));
    }
  }
}

async function applyPending(sql: Sql, dir: string, files: string[], lockTimeoutMs: number): Promise<string[]> {
  return sql.begin(async (tx) => {
    // A migration may take long: no statement timeout, but a bounded wait for locks.
    await tx`SELECT set_config('statement_timeout', '0', true), set_config('lock_timeout', ${`${lockTimeoutMs}ms`}, true)`;
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`;
    const done = new Set((await tx<{ version: string }[]>`SELECT version FROM schema_migrations`).map((r) => r.version));
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file)) continue;
      await tx.savepoint(async (step) => {
        await step.unsafe(await readFile(`${dir}/${file}`, 'utf8'));
        await step`INSERT INTO schema_migrations (version) VALUES (${file})`;
      });
      applied.push(file);
    }
    return applied;
  });
}
