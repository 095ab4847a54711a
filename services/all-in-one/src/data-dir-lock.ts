import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Another live process holds the data folder. */
export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
}

const LOCK_FILE = 'gatehouse.pid';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, but someone else's
  }
}

async function holderOf(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const pid = Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Claims `dataDir` for this process: PGlite has no lock of its own, and two processes writing
 * one embedded database lose each other's writes. A lock left by a process that died is taken
 * over. Resolves with the release function; rejects with DataDirInUseError naming the holder.
 */
export async function lockDataDir(dataDir: string, shownAs = dataDir): Promise<() => Promise<void>> {
  const file = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600); // fails if it exists: the claim is atomic
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return async () => {
        if ((await holderOf(file)) === process.pid) await rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await holderOf(file);
    if (holder !== undefined && holder !== process.pid && isAlive(holder)) {
      throw new DataDirInUseError(`${shownAs.replace(/\/?$/, '/')} is in use by process ${holder}: stop it first, or give this one another DATA_DIR`);
    }
    await rm(file, { force: true }); // left by a process that died
  }
  throw new DataDirInUseError(`${shownAs} is being claimed by another process at the same moment; try again`);
}
