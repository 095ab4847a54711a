import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Sql } from 'postgres';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));

// Any fixed number works; every Back End must use the same one.
const MIGRATION_LOCK = 7_441_001;

/**
 * Applies each `NNNN_name.sql` in order, once. An advisory lock lets many Back Ends start
 * together, and one transaction means a failure leaves nothing half-applied.
 * (postgres-shift was considered, but it takes no lock.)
 */
export async function migrate(sql: Sql, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort();
  return sql.begin(async (tx) => {
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
