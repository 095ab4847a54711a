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

it('keeps the migrations\' functions static: no dynamic SQL (EXECUTE, format) inside PL/pgSQL', async () => {
  const { readdir, readFile } = await import('node:fs/promises');
  const dir = fileURLToPath(new URL('../migrations/', import.meta.url));
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql'));
  const withFunctions = [];
  for (const file of files) {
    const text = (await readFile(dir + file, 'utf8')).replace(/--.*$/gm, '');
    if (/CREATE FUNCTION/i.test(text)) withFunctions.push(file);
    expect(text, file).not.toMatch(/\bEXECUTE\b|\bformat\s*\(|quote_ident|quote_literal/i);
  }
  expect(withFunctions).toContain('0006_one_statement_writes.sql');
});
