import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createPlan } from '../src/plan.js';

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
    [['env', '--data-dir', empty], 1, /no cluster in/],
    [['env', 'database', '--data-dir', empty], 2, /"env" prints settings for front-end, back-end or admin, not "database"/],
    [['kill', '--data-dir', empty], 2, /needs a node name, e\.g\. "kill primary"/],
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

describe('a refused up writes nothing', () => {
  const folders: string[] = [];
  afterAll(() => folders.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const folder = (mode: number) => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-refused-up-'));
    chmodSync(dir, mode);
    folders.push(dir);
    return dir;
  };

  it('under a folder PostgreSQL could not reach, or we could not write: no cluster.json, no folder', async () => {
    // Mode 000: as root, "postgres" cannot pass it (the check refuses); as anyone else, neither can we.
    const parent = folder(0o000);
    const result = await cluster('up', '--data-dir', join(parent, 'c'));
    chmodSync(parent, 0o755);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(parent);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('with an --app-port other than the existing cluster\'s: refused, not ignored, and nothing changes', async () => {
    const dir = folder(0o755);
    const plan = await createPlan(dir);
    const before = readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]);
    const other = plan.ports.app === 65000 ? 65001 : 65000;
    const result = await cluster('up', '--app-port', String(other), '--data-dir', dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`--app-port applies only when a cluster is created: the cluster in ${dir} serves the app on port ${plan.ports.app}`);
    expect(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')])).toEqual(before);
  });
});
