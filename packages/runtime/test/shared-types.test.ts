import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Lines in the repository's TypeScript (tracked or not) matching `pattern`, as `path:line`. */
function definitions(pattern: string): string[] {
  const out = execFileSync('git', ['grep', '--untracked', '-n', '-E', pattern, '--', '*.ts'], { cwd: ROOT, encoding: 'utf8' });
  return out.trim().split('\n').map((line) => line.split(':').slice(0, 2).join(':'));
}

it('defines QueueMode and LogLevel once, in @gatehouse/runtime', () => {
  const found = definitions(String.raw`type (QueueMode|LogLevel) =|'quorum' \| 'textbook'|'info' \| 'debug'`);
  expect(found.map((at) => at.split(':')[0])).toEqual(['packages/runtime/src/config.ts', 'packages/runtime/src/config.ts']);
});
