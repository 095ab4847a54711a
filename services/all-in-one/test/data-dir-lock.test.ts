import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, lockDataDir } from '../src/data-dir-lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The PID of a process that has already exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!;
}

describe('lockDataDir', () => {
  it('refuses a second claim while the first holds it, naming the holder', async () => {
    const otherLive = process.ppid; // a live process that is not us
    await writeFile(join(dir, 'gatehouse.pid'), `${otherLive}\n`);
    const claim = lockDataDir(dir, 'data');
    await expect(claim).rejects.toBeInstanceOf(DataDirInUseError);
    await expect(claim).rejects.toThrow(`data/ is in use by process ${otherLive}`);
  });

  it('records this process, and releases only its own claim', async () => {
    const release = await lockDataDir(dir);
    expect((await readFile(join(dir, 'gatehouse.pid'), 'utf8')).trim()).toBe(String(process.pid));
    await release();
    await expect(readFile(join(dir, 'gatehouse.pid'))).rejects.toMatchObject({ code: 'ENOENT' });
    // A release after someone else took over leaves their claim alone.
    const releaseAgain = await lockDataDir(dir);
    await writeFile(join(dir, 'gatehouse.pid'), `${process.ppid}\n`);
    await releaseAgain();
    expect((await readFile(join(dir, 'gatehouse.pid'), 'utf8')).trim()).toBe(String(process.ppid));
  });

  it('takes over a claim left by a process that died', async () => {
    await writeFile(join(dir, 'gatehouse.pid'), `${deadPid()}\n`);
    const release = await lockDataDir(dir);
    expect((await readFile(join(dir, 'gatehouse.pid'), 'utf8')).trim()).toBe(String(process.pid));
    await release();
  });

  it.each([
    ['unreadable', 'not a pid'],
    ['empty', ''],
  ])('takes over an %s claim, recording this process', async (_kind, claim) => {
    await writeFile(join(dir, 'gatehouse.pid'), claim);
    const release = await lockDataDir(dir);
    expect((await readFile(join(dir, 'gatehouse.pid'), 'utf8')).trim()).toBe(String(process.pid));
    await release();
  });
});
