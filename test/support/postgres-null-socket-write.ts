/**
 * Reproduces porsager/postgres#1208 in this process: the backend of a transaction's connection
 * is terminated while a statement runs, and the ROLLBACK that begin() then sends on the dead
 * connection waits behind a setImmediate that finds a null socket. Run by
 * postgres-null-socket.test.ts as a child process, with the guard (`guard`) or without (`bare`).
 */
import postgres from 'postgres';
import { pino } from 'pino';
import { surviveNullSocketWrites } from '@gatehouse/database';

const [url, mode] = process.argv.slice(2) as [string, 'guard' | 'bare'];
if (mode === 'guard') surviveNullSocketWrites(pino({ name: 'repro' }));
const options = { max: 1, fetch_types: false };
const sql = postgres(url, options);
const other = postgres(url, options);
let pid: number | undefined;
const transaction = sql
  .begin(async (tx) => {
    const [row] = await tx<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
    pid = row!.pid;
    await tx`SELECT pg_sleep(2)`; // in flight when its backend is terminated
  })
  .then(() => 'committed', (err: Error & { code?: string }) => err.code ?? err.message);
while (pid === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
await other`SELECT pg_terminate_backend(${pid})`;
console.log(`the transaction ended with ${await transaction}`);
await new Promise((resolve) => setTimeout(resolve, 200)); // the ROLLBACK's setImmediate has run by now
// The process goes on: another connection still answers. (postgres.js leaves the failed one
// unable to write again; the Back End's pool replaces a connection that failed: server-pool.ts.)
const [after] = await other<{ n: number }[]>`SELECT 1 AS n`;
console.log(`still running: another connection answered ${after!.n}`);
process.exit(0);
