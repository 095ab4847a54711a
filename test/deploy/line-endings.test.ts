import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/service-process.js';

// A clone on Windows must still run: scripts and what containers read are checked out with LF.
const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' });

/** The tracked files a shell, a container or compose reads. */
const MUST_BE_LF = /(^|\/)(Dockerfile|\.dockerignore|docker-compose\.yml|\.env\.example)$|\.sh$|^(\.ci|scripts|deploy)\//;

describe('.gitattributes', () => {
  const files = git('ls-files', '-z').split('\0').filter((f) => MUST_BE_LF.test(f));

  it('checks out every shell script and every deploy/ file with LF, whatever core.autocrlf says', () => {
    expect(files).toEqual(expect.arrayContaining(['deploy/db/gatehouse-patroni', 'scripts/test.sh', '.ci/run', 'services/front-end/Dockerfile', '.env.example']));
    const attributes = git('check-attr', 'eol', '-z', '--', ...files).split('\0');
    const eol = new Map<string, string>();
    for (let i = 0; i + 2 < attributes.length; i += 3) eol.set(attributes[i]!, attributes[i + 2]!);
    expect(files.filter((f) => eol.get(f) !== 'lf')).toEqual([]);
  });

  it('covers files that hold no carriage return today', () => {
    expect(files.filter((f) => readFileSync(join(REPO_ROOT, f)).includes(0x0d))).toEqual([]);
  });

  it('would catch a script it does not cover', () => {
    const attributes = git('check-attr', 'eol', '--', 'README.md');
    expect(attributes.trim()).toBe('README.md: eol: unspecified');
  });
});
