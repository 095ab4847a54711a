import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

it('builds SQL only from tagged templates: raw SQL is used for the migration files alone', () => {
  const hits = execFileSync('git', ['grep', '-n', '-E', String.raw`\.unsafe\(|sql\.file\(`, '--', ':(glob)packages/*/src/**', ':(glob)services/*/src/**', ':(glob)tools/*/src/**'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .trim()
    .split('\n');
  expect(hits).toHaveLength(1);
  expect(hits[0]).toMatch(/^packages\/database\/src\/migrate\.ts:\d+:.*step\.unsafe\(await readFile/);
});
