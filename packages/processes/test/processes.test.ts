import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { childrenOf, commandLineOf, isAlive, parseStat, processTree, readStat, tail } from '../src/index.js';

describe('parseStat', () => {
  it('reads the fields after the last ")", whatever the command name holds', () => {
    const rest = ' 12 34 0 0 -1 4194560 100 0 0 0 7 3 2 1 20 0 1 0 98765 1000 50';
    const stat = parseStat(`4242 (a (b) c) S${rest}`);
    expect(stat).toEqual({ state: 'S', ppid: 12, utime: 7, stime: 3, cutime: 2, cstime: 1, startTime: 98765 });
    expect(parseStat(`4242 (x) Z${rest}`).state).toBe('Z');
  });
});

describe('this machine', () => {
  it('sees this process alive, with its parent and its command line', () => {
    expect(isAlive(process.pid)).toBe(true);
    expect(readStat(process.pid)?.ppid).toBe(process.ppid);
    expect(commandLineOf(process.pid)).toContain(process.argv[0]);
  });

  it('sees a child among the children and in the tree, and not once it has exited', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      expect(isAlive(child.pid!)).toBe(true);
      expect(childrenOf(process.pid)).toContain(child.pid);
      expect(processTree([process.pid])).toEqual(expect.arrayContaining([process.pid, child.pid]));
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    expect(isAlive(child.pid!)).toBe(false);
    expect(commandLineOf(child.pid!)).toBe('');
  });
});

describe('tail', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-processes-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the last lines, a final newline not counting as one', async () => {
    const file = join(dir, 'a.log');
    writeFileSync(file, 'one\ntwo\nthree\nfour\n');
    expect(await tail(file, 2)).toBe('three\nfour');
    expect(await tail(file, 10)).toBe('one\ntwo\nthree\nfour');
  });

  it('says when there is no file', async () => {
    expect(await tail(join(dir, 'missing.log'), 5)).toBe(`(no ${join(dir, 'missing.log')})`);
  });
});
