import { chmod, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  /** A postgres:// URL, so the Back End's ordinary database code runs unchanged. */
  url: string;
  stop(): Promise<void>;
}

/** The URL of the embedded database's socket in `socketDir`, for postgres.js (npm start's and npm run audit's). */
export const embeddedSocketUrl = (socketDir: string) => `postgres://postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}`;

/** Linux's limit on a Unix socket's path (sun_path is 108 bytes with the terminating NUL). */
const MAX_SOCKET_PATH = 107;

/**
 * PostgreSQL compiled to WebAssembly (PGlite), persisted under `dataDir`. It has no passwords
 * and runs inside this process, so it is served on a Unix socket in `socketDir` (mode 0700):
 * only this user can connect, where a loopback port would let any local user in as `postgres`
 * (and stall the whole process with one slow query). One backend, so clients use one connection.
 */
export async function startEmbeddedPostgres(dataDir: string, socketDir: string): Promise<EmbeddedPostgres> {
  const path = await prepareSocket(socketDir);
  await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  // Three: npm start's two (its request connection, and the plain pool for migrations and
  // readiness pings, packages/database/src/server-pool.ts), and `npm run audit` while it runs.
  // PGlite queues their queries and keeps an open transaction's queries together, so none sees
  // another's half-done work.
  const server = new PGLiteSocketServer({ db, path, maxConnections: 3 });
  try {
    await server.start();
  } catch (err) {
    await db.close();
    throw err;
  }
  return {
    url: embeddedSocketUrl(socketDir),
    async stop() {
      await server.stop();
      await db.close();
      await rm(path, { force: true });
    },
  };
}

/** A private folder for the socket, and its path in the form PostgreSQL clients expect. */
async function prepareSocket(socketDir: string): Promise<string> {
  const path = join(socketDir, '.s.PGSQL.5432');
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
    throw new Error(`DATA_DIR is too deep for the embedded database's Unix socket (${path}); choose a shorter DATA_DIR`);
  }
  await mkdir(socketDir, { recursive: true, mode: 0o700 });
  await chmod(socketDir, 0o700); // it may predate this version, or have been created by hand
  await rm(path, { force: true }); // left behind by a crash; PGlite's folder can have only one user anyway
  return path;
}
