import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function cluster(...args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--conditions=gatehouse-source', '--import', 'tsx', 'tools/cluster/src/main.ts', ...args], { cwd: ROOT }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

// No servers are started here: these are the answers given before anything would be.
describe('npm run cluster, given bad arguments or no cluster', () => {
  const empty = mkdtempSync(join(tmpdir(), 'gatehouse-no-cluster-'));

  it.each([
    [['status', '--data-dir', empty], 1, /no cluster in .*: run "npm run cluster -- up" first/],
    [['kill', 'pg1', '--data-dir', empty], 1, /no cluster in/],
    [['up', '--app-port', 'eighty', '--data-dir', empty], 2, /--app-port must be a port number/],
    [['up', 'now', '--data-dir', empty], 2, /"up" takes no arguments/],
    [[], 2, /no command given/],
  ])('%j exits %i with a clear message', async (args, code, message) => {
    const result = await cluster(...args);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('--help prints the commands', async () => {
    const result = await cluster('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/switchover/);
  });
});
