import { readdirSync } from 'node:fs';
import postgres from 'postgres';
import { describe, expect, inject, it } from 'vitest';
import { connectDatabase, migrate, MIGRATIONS_DIR } from '@gatehouse/database';
import { createTestDatabase } from '../harness/postgres.js';

const FILES = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).sort();

describe('migrations in a cluster', () => {
  it('apply each file once when three Back Ends start at once', async () => {
    const url = await createTestDatabase(inject('postgresUrl'));
    // Three pools, as three processes have; a short lock_timeout makes the losers back off and retry.
    const backEnds = [1, 2, 3].map(() => connectDatabase({ url, max: 1 }));
    try {
      const runs = await Promise.all(backEnds.map((db) => migrate(db.readWrite, { lockTimeoutMs: 50, backoffMs: 50, attempts: 30 })));
      expect(runs.flat().sort()).toEqual(FILES);
      const rows = await backEnds[0]!.readWrite<{ version: string }[]>`SELECT version FROM schema_migrations ORDER BY version`;
      expect(rows.map((r) => r.version)).toEqual(FILES);
    } finally {
      await Promise.all(backEnds.map((db) => db.close()));
    }
  });

  it('wait at most lock_timeout per attempt for a lock someone holds, then succeed once it is released', async () => {
    const url = await createTestDatabase(inject('postgresUrl'));
    const holder = postgres(url, { max: 1, onnotice: () => undefined });
    const db = connectDatabase({ url, max: 1 });
    try {
      await holder`CREATE TABLE schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`;
      let release!: () => void;
      const locked = new Promise<void>((resolve) => (release = resolve));
      const holding = holder.begin(async (tx) => {
        await tx`LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE`;
        await locked;
      });
      const retries: { code: string; at: number }[] = [];
      const started = Date.now();
      const migrating = migrate(db.readWrite, {
        lockTimeoutMs: 300,
        backoffMs: 100,
        attempts: 100,
        onRetry: (err) => retries.push({ code: (err as { code?: string }).code ?? err.message, at: Date.now() }),
      });
      await expect.poll(() => retries.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
      release();
      await holding;
      expect(await migrating).toEqual(FILES);
      expect(retries.every((r) => r.code === '55P03')).toBe(true); // lock_not_available: lock_timeout ended each attempt
      expect(retries[0]!.at - started).toBeLessThan(5000); // well before any statement timeout (there is none)
    } finally {
      await Promise.all([holder.end({ timeout: 5 }), db.close()]);
    }
  });
});
