import { expect, inject, it } from 'vitest';
import { isNullSocketWrite } from '@gatehouse/database';
import { createTestDatabase } from '../harness/postgres.js';
import { SOURCE_CONDITION, spawnProcess, TSX } from '../support/service-process.js';

/**
 * postgres.js 3.4 throws from a setImmediate when a transaction's connection dies under it
 * (porsager/postgres#1154, #1208): without the guard that ends the process, as it ended a Back
 * End of the chaos suite's cluster; with it, the process logs it and goes on. Reproduced in a
 * child process against the harness's PostgreSQL.
 */
const SCRIPT = 'test/support/postgres-null-socket-write.ts';

async function run(url: string, mode: 'bare' | 'guard'): Promise<{ code: number | null; output: string }> {
  const child = spawnProcess(TSX, [SOURCE_CONDITION, SCRIPT, url, mode], {});
  const code = await child.exited;
  return { code, output: child.output() };
}

it('without the guard the driver bug ends the process; with it the process goes on', async () => {
  const url = await createTestDatabase(inject('postgresUrl'));
  const bare = await run(url, 'bare');
  expect(bare.output).toContain("Cannot read properties of null (reading 'write')");
  expect(bare.output).not.toContain('still running');
  expect(bare.code).toBe(1);

  const guarded = await run(url, 'guard');
  expect(guarded.output).toContain('postgres.js wrote to a closed connection');
  expect(guarded.output).toContain('the transaction ended with');
  expect(guarded.output).toContain('still running: another connection answered 1');
  expect(guarded.code).toBe(0);
});

it('recognises only that exception', () => {
  const real = new TypeError("Cannot read properties of null (reading 'write')");
  real.stack = `${real.message}\n    at Immediate.nextWrite (file:///app/node_modules/postgres/src/connection.js:255:22)`;
  expect(isNullSocketWrite(real)).toBe(true);
  const elsewhere = new TypeError(real.message);
  elsewhere.stack = `${real.message}\n    at write (file:///app/services/back-end/dist/main.js:10:1)`;
  expect(isNullSocketWrite(elsewhere)).toBe(false);
  expect(isNullSocketWrite(new Error(real.message))).toBe(false);
});
