import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../bench/report.js';
import { REPO_ROOT, SOURCE_CONDITION, TSX } from '../support/service-process.js';
import { dockerOk, repoPath } from './compose-project.js';

// `npm run bench -- --rabbitmq-image gatehouse/messaging:latest`: the whole benchmark on
// RabbitMQ 4.0 from the messaging image, as docs/benchmarks.md runs it beside this machine's 3.10.
// Well-formed and complete, never fast: no figure is compared with a time.

const exec = promisify(execFile);
const IMAGE = 'gatehouse/messaging:latest';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-bench-rmq4-'));
  // Built by the midterm's compose up when it ran first; otherwise here (cached layers make it quick).
  await dockerOk(['build', '--quiet', '--tag', IMAGE, repoPath('deploy/messaging')], { timeoutMs: 10 * 60_000 });
}, 11 * 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('npm run bench on RabbitMQ 4.0 (--rabbitmq-image)', () => {
  it('measures register and login and every yardstick through the container, and removes it afterwards', { timeout: 300_000 }, async () => {
    const out = join(dir, 'report.json');
    await exec(TSX, [SOURCE_CONDITION, 'bench/run.ts', '--quick', '--seconds', '1', '--warmup', '0.3', '--concurrency', '2', '--scenarios', 'register,login', '--rabbitmq-image', IMAGE, '--out', out], {
      cwd: REPO_ROOT, timeout: 280_000, maxBuffer: 16 << 20,
    });
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;
    expect(report.target).toMatch(/1 RabbitMQ 4\.0\.\d+ node \(gatehouse\/messaging:latest, a container on the host network\)/);
    expect(report.rpc.echo.map((e) => e.inFlight)).toEqual([1, 64]);
    for (const name of ['register', 'login']) {
      const row = report.scenarios.find((s) => s.scenario === name);
      expect(row, name).toBeDefined();
      expect(row!.ops).toBeGreaterThan(0);
      expect(row!.errors + row!.non2xx3xx + row!.unexpected + row!.busy, JSON.stringify(row!.statuses)).toBe(0);
      // The broker's CPU is the container's Erlang VM, found through its process on this machine.
      expect(row!.cpuPerOp.rabbitmq).toBeGreaterThan(0);
    }
    const left = await dockerOk(['ps', '--all', '--quiet', '--filter', 'name=gatehouse-bench-rabbitmq']);
    expect(left.trim()).toBe('');
  });

  it('refuses an image that does not exist, naming it and how to build one', async () => {
    const failed = await exec(TSX, [SOURCE_CONDITION, 'bench/run.ts', '--quick', '--rabbitmq-image', 'gatehouse/no-such-image:none'], { cwd: REPO_ROOT, timeout: 120_000 })
      .then(() => undefined, (err: { code: number; stderr: string }) => err);
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('no Docker image gatehouse/no-such-image:none: build it first');
  });
});
