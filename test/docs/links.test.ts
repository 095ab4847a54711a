import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../support/service-process.js';

/** Every relative link in the repository's Markdown (README, docs/, each folder's README) leads to a file that exists. */
it('every relative link in the docs resolves to a file in the repository', () => {
  const pages = execFileSync('git', ['ls-files', '*.md'], { cwd: REPO_ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
  expect(pages).toContain('README.md');
  const broken: string[] = [];
  for (const page of pages) {
    const text = readFileSync(join(REPO_ROOT, page), 'utf8');
    for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/i.test(target!)) continue; // http:, https:, mailto:
      const path = join(REPO_ROOT, dirname(page), target!);
      if (!existsSync(path)) broken.push(`${page} -> ${relative(REPO_ROOT, path)}`);
    }
  }
  expect(broken).toEqual([]);
});
