/**
 * `npm run audit`: the Back End's audit command, also for `npm start`'s embedded database. With
 * DATABASE_URL set (and no --data-dir) it reads that server. Otherwise it reads DATA_DIR (or
 * --data-dir): through the running npm start's socket if one holds the folder, or by opening
 * the embedded database itself while holding the folder's lock.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runAudit, USAGE } from '@gatehouse/back-end/audit';
import { DataDirInUseError, lockDataDir } from './data-dir-lock.js';
import { embeddedSocketUrl, startEmbeddedPostgres } from './embedded-postgres.js';

const FULL_USAGE = `${USAGE}
With --data-dir <folder> (or with no DATABASE_URL: DATA_DIR, default data), it reads npm start's
embedded database in that folder, whether or not npm start is running.`;

/** `--data-dir X` or `--data-dir=X` taken out of argv. */
function takeDataDir(argv: string[]): { dataDir?: string; rest: string[] } {
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

async function auditEmbedded(shownAs: string, argv: string[]): Promise<number> {
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
    return runAudit(argv, embeddedSocketUrl(join(dataDir, 'socket')), FULL_USAGE); // npm start is running: ask it
  }
  try {
    const embedded = await startEmbeddedPostgres(join(dataDir, 'pglite'), join(dataDir, 'socket'));
    try {
      return await runAudit(argv, embedded.url, FULL_USAGE);
    } finally {
      await embedded.stop();
    }
  } finally {
    await release();
  }
}

async function main(): Promise<number> {
  const { dataDir, rest } = takeDataDir(process.argv.slice(2));
  if (dataDir === '') {
    console.error(`--data-dir needs a folder\n\n${FULL_USAGE}`);
    return 2;
  }
  if (dataDir === undefined && process.env.DATABASE_URL) return runAudit(rest, undefined, FULL_USAGE);
  return auditEmbedded(dataDir ?? process.env.DATA_DIR ?? 'data', rest);
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`audit: ${(err as Error).message}`);
    process.exit(1);
  },
);
