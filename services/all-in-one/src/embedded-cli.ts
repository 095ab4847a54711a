/**
 * The operator commands (`npm run audit`, `npm run accounts`) also for `npm start`'s embedded
 * database. With DATABASE_URL set (and no --data-dir) they use that server. Otherwise they use
 * DATA_DIR (or --data-dir): through the running npm start's socket if one holds the folder, or
 * by opening the embedded database themselves while holding the folder's lock.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataDirInUseError, lockDataDir } from './data-dir-lock.js';
import { embeddedSocketUrl, startEmbeddedPostgres } from './embedded-postgres.js';

/** A command's work on argv; `databaseUrl` undefined means "read it from the environment". */
export type DatabaseCommand = (argv: string[], databaseUrl: string | undefined, usage: string) => Promise<number>;

export const EMBEDDED_USAGE = `With --data-dir <folder> (or with no DATABASE_URL: DATA_DIR, default data), it uses npm start's
embedded database in that folder, whether or not npm start is running.`;

/** `--data-dir X` or `--data-dir=X` taken out of argv. */
export function takeDataDir(argv: string[]): { dataDir?: string; rest: string[] } {
  const rest: string[] = [];
  let dataDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--data-dir') dataDir = argv[++i] ?? '';
    else if (arg.startsWith('--data-dir=')) dataDir = arg.slice('--data-dir='.length);
    else rest.push(arg);
  }
  return { dataDir, rest };
}

async function onEmbedded(shownAs: string, argv: string[], command: DatabaseCommand, usage: string): Promise<number> {
  const dataDir = resolve(shownAs);
  if (!existsSync(join(dataDir, 'pglite', 'PG_VERSION'))) {
    console.error(`${shownAs} holds no embedded database: start Gatehouse with npm start first, or set DATABASE_URL`);
    return 1;
  }
  let release: () => Promise<void>;
  try {
    release = await lockDataDir(dataDir, shownAs);
  } catch (err) {
    if (!(err instanceof DataDirInUseError)) throw err;
    return command(argv, embeddedSocketUrl(join(dataDir, 'socket')), usage); // npm start is running: ask it
  }
  try {
    const embedded = await startEmbeddedPostgres(join(dataDir, 'pglite'), join(dataDir, 'socket'));
    try {
      return await command(argv, embedded.url, usage);
    } finally {
      await embedded.stop();
    }
  } finally {
    await release();
  }
}

/** Runs `command` on the database the arguments and environment name, and exits with its code. */
export function runOnDatabase(name: string, command: DatabaseCommand, usage: string): void {
  const fullUsage = `${usage}\n${EMBEDDED_USAGE}`;
  const main = async () => {
    const { dataDir, rest } = takeDataDir(process.argv.slice(2));
    if (dataDir === '') {
      console.error(`--data-dir needs a folder\n\n${fullUsage}`);
      return 2;
    }
    if (dataDir === undefined && process.env.DATABASE_URL) return command(rest, undefined, fullUsage);
    return onEmbedded(dataDir ?? process.env.DATA_DIR ?? 'data', rest, command, fullUsage);
  };
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(`${name}: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
