import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoPath } from './compose-project.js';

/**
 * A fresh clone of this checkout in a temporary folder: the files git tracks or would track
 * (uncommitted edits included, so the tests run the tree under test), without node_modules,
 * dist, .env or anything else git ignores.
 */
export function freshClone(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repoPath(), encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of new Set(listed.stdout.split('\0').filter(Boolean))) {
    const from = repoPath(file);
    if (!existsSync(from)) continue; // deleted in the working tree
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(from, join(dir, file));
  }
  chmodSync(dir, 0o755);
  return dir;
}

/**
 * The shell block of docs/compose.md that writes `.env` for the midterm, without its final
 * `docker compose ...` line (the tests run compose themselves, with their own flags).
 */
export function envSnippet(docsFile = repoPath('docs/compose.md')): string {
  const blocks = [...readFileSync(docsFile, 'utf8').matchAll(/```sh\n([^]*?)```/g)].map((m) => m[1]!);
  const block = blocks.find((b) => b.startsWith('cp .env.example .env\n'));
  if (!block) throw new Error(`${docsFile} has no sh block starting with "cp .env.example .env"`);
  return block
    .split('\n')
    .filter((line) => !/^docker compose /.test(line))
    .join('\n');
}

/** Runs docs/compose.md's snippet in the clone, as a reader would paste it into bash. */
export function writeEnvAsDocumented(dir: string): void {
  const r = spawnSync('bash', ['-euo', 'pipefail', '-c', envSnippet()], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`docs/compose.md's .env snippet failed: ${r.stderr}`);
}

/** `.env` as KEY -> value (the last assignment wins, as compose reads it). */
export function readEnv(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}
