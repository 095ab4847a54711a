import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIO_HEADER, settingsLine, type Report } from '../../bench/report.js';
import { LOAD_SETTINGS, variantOf, variantSettings } from '../../bench/target.js';
import { REPO_ROOT, SOURCE_CONDITION, TSX } from '../support/service-process.js';

const exec = promisify(execFile);
// Without the settings that would make the run a variant, whatever this shell has set.
const defaultsOnly = Object.fromEntries(Object.entries(process.env).filter(([k]) => Object.keys(variantSettings({ [k]: 'x' })).length === 0));
const bench = (args: string[]) =>
  exec(TSX, [SOURCE_CONDITION, 'bench/run.ts', ...args], { cwd: REPO_ROOT, env: defaultsOnly, timeout: 240_000, maxBuffer: 16 << 20 });

describe('npm run bench', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-bench-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // Well-formed, never fast: no figure here is compared with a time.
  it('runs --quick and writes a well-formed JSON and Markdown report', { timeout: 240_000 }, async () => {
    const out = join(dir, 'report.json');
    const md = join(dir, 'report.md');
    const profiles = join(dir, 'profiles');
    const { stdout } = await bench(['--quick', '--seconds', '0.5', '--warmup', '0.2', '--concurrency', '1,2', '--seed-users', '2000', '--paced-echo', '20', '--out', out, '--markdown', md, '--profile', profiles]);
    const report = JSON.parse(await readFile(out, 'utf8')) as Report;

    const finite = (x: unknown) => expect(Number.isFinite(x), String(x)).toBe(true);
    expect(report.hash.cores).toBeGreaterThan(0);
    expect(report.hash.rounds).toBe(3);
    const [slowest, fastest] = report.hash.limitRange;
    expect(slowest).toBeLessThanOrEqual(report.hash.limitPerSecond);
    expect(fastest).toBeGreaterThanOrEqual(report.hash.limitPerSecond);
    [report.hash.cpuMs, report.hash.aloneCpuMs, report.hash.aloneWallMs, report.hash.limitPerSecond].forEach(finite);
    expect(report.rpc.echo.map((f) => f.inFlight)).toEqual([1, 64]);
    expect(report.rpc.gethash.map((f) => f.inFlight)).toEqual([1, 64]);
    for (const r of report.rpc.gethashPerEcho) [r.throughputRatio, r.p50Ratio].forEach(finite);
    expect(report.rpc.paced?.map((p) => p.connections)).toEqual(['separate', 'shared']);
    for (const p of report.rpc.paced!) {
      [p.perSecond, p.p50Ms, p.brokerCpuMs].forEach(finite);
      expect(p.calls).toBeGreaterThan(0);
      expect(p.errors).toBe(0);
    }

    for (const name of ['register', 'login', 'secret', 'home']) {
      for (const concurrency of [1, 2]) {
        const row = report.scenarios.find((s) => s.scenario === name && s.concurrency === concurrency);
        expect(row, `${name} x${concurrency}`).toBeDefined();
        [row!.opsPerSecond, row!.p50Ms, row!.p90Ms, row!.p99Ms, row!.serviceCpuMs].forEach(finite);
        expect(row!.ops).toBeGreaterThan(0);
        expect(row!.errors + row!.non2xx3xx + row!.unexpected, JSON.stringify(row!.statuses)).toBe(0);
        expect(row!.busy).toBe(0);
        expect(row!.okPerSecond).toBeCloseTo(row!.opsPerSecond, 6); // every answer was a success
        expect(Object.keys(row!.cpuPerOp).sort()).toEqual(['backEnd', 'frontEnd', 'loadgen', 'postgres', 'rabbitmq']);
        Object.values(row!.cpuPerOp).forEach(finite);
        if (name === 'register' || name === 'login') [row!.ofHashLimit, row!.hashMultiple].forEach(finite);
      }
    }
    expect(report.seed?.users).toBe(2000);
    expect(report.seed?.loginP50Ratio.map((r) => r.concurrency)).toEqual([1, 2]);
    report.seed!.loginP50Ratio.forEach((r) => finite(r.ratio));
    // Seeding puts login last, next to its full-table run: register, secret, home, login, login (full).
    expect([...new Set(report.scenarios.map((s) => s.scenario))]).toEqual(['register', 'secret', 'home', 'login', 'login (2,000 users)']);

    // Measured on the defaults: only the two settings load from one address needs are changed.
    expect(report.variant).toBe('defaults');
    expect(report.settings).toEqual(LOAD_SETTINGS);
    const markdown = await readFile(md, 'utf8');
    expect(markdown).toContain('Settings: the defaults users get, except RATE_LIMIT_PER_MINUTE=100000 and LOCKOUT_THRESHOLD=1000');
    expect(markdown).toContain(SCENARIO_HEADER);
    expect(markdown).toContain('hash-bound limit');
    expect(markdown).toContain('the median of 3 rounds');
    expect(markdown).toContain('bare RPC echo');
    expect(markdown).toContain('echo paced at');
    expect(stdout).toContain(SCENARIO_HEADER);
    // --profile: each service wrote a CPU profile as it exited (tsx's own process writes one too).
    for (const service of ['front-end', 'back-end', 'echo']) {
      const written = (await readdir(join(profiles, service))).filter((f) => f.endsWith('.cpuprofile'));
      expect(written.length, service).toBeGreaterThan(0);
    }
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--concurrency', '0'], /--concurrency must be an integer from 1/],
    [['--scenarios', 'logn'], /unknown scenario "logn"/],
    [['--seed-users=-5'], /--seed-users must be an integer from 0/],
    [['--cluster', '--profile', 'profiles'], /--profile works with the harness only/],
    [['--paced-echo', 'fast'], /--paced-echo must be an integer from 0 to 5000/],
    [['--cluster', '--rabbitmq-image', 'gatehouse/messaging:latest'], /--rabbitmq-image works with the harness only/],
    [['--rabbitmq-image', 'no such image'], /--rabbitmq-image must be an image name/],
  ])('refuses %j with exit code 2 and says why', async (args, message) => {
    const failed = await bench(args).then(() => undefined, (err: { code: number; stderr: string }) => err);
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toMatch(message);
    expect(failed?.stderr).toContain('Usage: npm run bench');
  });

  it('names any other override a variant, not the baseline', () => {
    const overrides = variantSettings({ HASH_QUEUE_MAX: '10000', ARGON2_TIME_COST: '1', PATH: '/usr/bin', LOG_LEVEL: '' });
    expect(overrides).toEqual({ HASH_QUEUE_MAX: '10000', ARGON2_TIME_COST: '1' });
    // EMAIL_VERIFICATION=off leaves out the verification mail every registration sends by default.
    expect(variantSettings({ EMAIL_VERIFICATION: 'off' })).toEqual({ EMAIL_VERIFICATION: 'off' });
    const variant = variantOf(overrides);
    expect(variant).toBe('variant: HASH_QUEUE_MAX=10000, ARGON2_TIME_COST=1');
    expect(settingsLine({ variant, settings: {} }, LOAD_SETTINGS)).toBe(
      'Settings: a variant, not the baseline: the defaults users get, except RATE_LIMIT_PER_MINUTE=100000 and LOCKOUT_THRESHOLD=1000, which load from one address must raise, and HASH_QUEUE_MAX=10000, ARGON2_TIME_COST=1.',
    );
    expect(variantOf({})).toBe('defaults');
  });
});
