/**
 * `npm run bench`: Gatehouse under load as a browser uses it, next to the limits that bound it
 * (argon2id hashing on these cores; a bare RPC echo on the same broker). See docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FRONT_END_DEFAULTS } from '@gatehouse/front-end';
import { parseBenchArgs, USAGE, UsageError, type BenchOptions } from './args.js';
import { runLoad } from './load.js';
import { rpcRatios, toMarkdown, withRatios, type Report, type ScenarioRow } from './report.js';
import { LOGIN_USERS, loginEmail, RUN_ID, scenario } from './scenarios.js';
import { countUsers, seedUsers } from './seed.js';
import type { Target } from './target.js';
import { measureHash, measureRpcs } from './yardsticks.js';
import { profileServicesInto } from './services.js';

async function startTarget(options: BenchOptions): Promise<Target> {
  if (options.cluster) return (await import('./cluster-target.js')).startClusterTarget((line) => console.error(`bench: ${line}`));
  return (await import('./harness-target.js')).startHarnessTarget({ rabbitmqImage: options.rabbitmqImage });
}

/** The argon2 cost the Front Ends run with: their defaults unless ARGON2_* are set. */
function argon2Params(settings: Record<string, string | undefined>) {
  const d = FRONT_END_DEFAULTS.argon2;
  const n = (name: string, fallback: number) => (settings[name] ? Number(settings[name]) : fallback);
  return { memoryKib: n('ARGON2_MEMORY_KIB', d.memoryKib), timeCost: n('ARGON2_TIME_COST', d.timeCost), parallelism: n('ARGON2_PARALLELISM', d.parallelism) };
}

/** The commit measured, and whether services/ or packages/ differ from it (work in progress). */
function sourceState(): { commit: string; uncommitted: boolean } {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  try {
    return { commit: git('rev-parse', '--short', 'HEAD'), uncommitted: git('status', '--porcelain', '--', 'services', 'packages') !== '' };
  } catch {
    return { commit: 'unknown', uncommitted: false };
  }
}

async function main(argv: string[]): Promise<void> {
  const options = parseBenchArgs(argv);
  if (options === 'help') return void console.log(USAGE);
  profileServicesInto(options.profile);
  const say = (text: string) => console.error(`bench: ${text}`);
  const startedAt = new Date();
  const loadBefore = loadavg();
  const source = sourceState();
  const logDir = await mkdtemp(join(tmpdir(), 'gatehouse-bench-run-'));
  say(`starting the ${options.cluster ? 'cluster' : 'harness servers'}...`);
  const target = await startTarget(options);
  try {
    say('yardsticks: argon2id hash CPU...');
    const { phc, ...hash } = await measureHash(argon2Params(target.settings), options.quick ? 10 : 100);
    await seedUsers(target.databaseUrl, LOGIN_USERS, phc, loginEmail);
    say('yardsticks: bare RPC echo and GETHASH...');
    const rpc = rpcRatios(
      await measureRpcs({ amqpUrls: target.amqpUrls, queue: target.queue, email: loginEmail(0), inFlight: [1, 64], seconds: options.quick ? Math.min(1, options.seconds) : 5, pacedRate: options.pacedEcho, logDir, tiers: target.tiers }),
    );
    const scenarios: ScenarioRow[] = [];
    const load = async (name: (typeof options.scenarios)[number], concurrency: number, label: string = name) => {
      const result = await runLoad(target.url, { ...scenario(name, concurrency), name: label }, concurrency, { ...options, tiers: target.tiers });
      const row = withRatios(result, hash);
      scenarios.push(row);
      say(`${label} x${concurrency}: ${row.opsPerSecond.toFixed(1)}/s, p50 ${row.p50Ms.toFixed(2)} ms, errors ${row.errors}, non-2xx/3xx ${row.non2xx3xx} (503: ${row.busy})`);
      return row;
    };
    for (const name of runOrder(options.scenarios, options.seedUsers > 0)) for (const c of options.concurrency) await load(name, c);

    let seed: Report['seed'];
    if (options.seedUsers > 0) {
      say(`seeding ${options.seedUsers} users with COPY...`);
      const { seconds } = await seedUsers(target.databaseUrl, options.seedUsers, phc, (n) => `seed-${RUN_ID}-${n}@bench.example.com`);
      const rows = await countUsers(target.databaseUrl);
      say(`seeded in ${seconds.toFixed(1)} s; the users table holds ${rows} rows`);
      const loginP50Ratio = [];
      for (const c of options.concurrency) {
        const empty = scenarios.find((s) => s.scenario === 'login' && s.concurrency === c) ?? (await load('login', c));
        const full = await load('login', c, `login (${options.seedUsers.toLocaleString('en-US')} users)`);
        loginP50Ratio.push({ concurrency: c, emptyMs: empty.p50Ms, fullMs: full.p50Ms, ratio: full.p50Ms / empty.p50Ms });
      }
      seed = { users: options.seedUsers, rows, seconds, loginP50Ratio };
    }

    const report: Report = {
      version: 1,
      startedAt: startedAt.toISOString(),
      seconds: (Date.now() - startedAt.getTime()) / 1000,
      command: ['npm run bench --', ...argv].join(' '),
      source,
      machine: { cores: hash.cores, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, loadBefore, note: process.env.BENCH_NOTE ?? '' },
      target: target.describe,
      variant: target.variant,
      settings: Object.fromEntries(Object.entries(target.settings).filter((e): e is [string, string] => e[1] !== undefined)),
      hash,
      rpc,
      scenarios,
      seed,
    };
    const markdown = toMarkdown(report);
    await mkdir(dirname(options.out), { recursive: true });
    await writeFile(options.out, `${JSON.stringify(report, null, 2)}\n`);
    if (options.markdown) await writeFile(options.markdown, markdown);
    console.log(markdown);
    say(`wrote ${options.out}${options.markdown ? ` and ${options.markdown}` : ''}`);
  } finally {
    await target.stop();
    await rm(logDir, { recursive: true, force: true });
  }
}

/**
 * With seeding, login runs last, right before the seed: its empty-table figures are then about a
 * minute from the full-table ones. Run first, they were four minutes apart, and on the VM every
 * tier (RabbitMQ too, which the table cannot touch) had drifted by up to 15% meanwhile.
 */
function runOrder<T extends string>(scenarios: readonly T[], seeding: boolean): T[] {
  return seeding ? [...scenarios.filter((s) => s !== 'login'), ...scenarios.filter((s) => s === 'login')] : [...scenarios];
}

try {
  await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`bench: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
}
