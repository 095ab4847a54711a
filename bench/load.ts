import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { Browser, type Response } from './browser.js';
import { cpuBetween, sampleCpu, type Tiers } from './cpu.js';
import { percentile } from './stats.js';

/** One kind of user visit, as N virtual users repeat it. */
export interface Scenario {
  name: string;
  /** What each operation is, for the report ("GET /register + POST /register"). */
  op: string;
  /** The status a successful operation ends with. */
  expect: number;
  /** Once per virtual user before the clock starts (e.g. log in). */
  setup?(browser: Browser, vu: number): Promise<void>;
  run(browser: Browser, vu: number, iteration: number): Promise<Response>;
}

export interface LoadResult {
  scenario: string;
  concurrency: number;
  seconds: number;
  /** Operations that got a response inside the window (errors not included). */
  ops: number;
  opsPerSecond: number;
  /** Operations that ended as success looks like (scenario.expect), per second. */
  okPerSecond: number;
  /** Answers that were the 503 busy page: shed for hashing, or no reply from the Back End in time. */
  busy: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** Thrown: connection refused or reset, timeouts. */
  errors: number;
  /** Responses that were neither 2xx nor 3xx. */
  non2xx3xx: number;
  /** 2xx/3xx, but not what success looks like (e.g. /secret redirecting to /login). */
  unexpected: number;
  statuses: Record<string, number>;
  /** CPU seconds per operation, per tier. */
  cpuPerOp: Record<string, number>;
  /** Cores busy outside the measured processes: other work sharing the machine. */
  otherCores: number;
  /** CPU seconds per second (cores busy), per tier. */
  cores: Record<string, number>;
}

/**
 * N virtual users, each repeating the scenario back to back (a closed loop: a new operation
 * starts when the last ends), for warm-up and then the measured window. Operations that end
 * inside the window count; CPU is read from /proc at its edges.
 */
export async function runLoad(url: string, scenario: Scenario, concurrency: number, opts: { seconds: number; warmupSeconds: number; tiers: Tiers }): Promise<LoadResult> {
  const pool = new Pool(url, { connections: concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let measuring = false;
  let stopping = false;
  const firstError: string[] = [];
  try {
    const browsers = Array.from({ length: concurrency }, () => new Browser(pool));
    await Promise.all(browsers.map((b, vu) => scenario.setup?.(b, vu)));
    const users = browsers.map(async (browser, vu) => {
      for (let i = 0; !stopping; i++) {
        const started = performance.now();
        try {
          const res = await scenario.run(browser, vu, i);
          if (measuring) {
            latencies.push(performance.now() - started);
            statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          }
        } catch (err) {
          if (measuring) errors++;
          if (firstError.length === 0) firstError.push((err as Error).message);
          await sleep(10); // a refused connection must not spin
        }
      }
    });
    await sleep(opts.warmupSeconds * 1000);
    const before = sampleCpu(opts.tiers);
    measuring = true;
    await sleep(opts.seconds * 1000);
    measuring = false;
    const after = sampleCpu(opts.tiers);
    stopping = true;
    await Promise.all(users);

    const seconds = (after.at - before.at) / 1000;
    const { machine = 0, ...cpu } = cpuBetween(before, after);
    const measured = Object.values(cpu).reduce((a, b) => a + b, 0);
    const ops = latencies.length;
    latencies.sort((a, b) => a - b);
    const count = (test: (s: number) => boolean) => Object.entries(statuses).reduce((n, [s, c]) => n + (test(Number(s)) ? c : 0), 0);
    if (errors > 0) console.error(`  ${scenario.name} x${concurrency}: ${errors} errors, first: ${firstError[0]}`);
    return {
      scenario: scenario.name,
      concurrency,
      seconds,
      ops,
      opsPerSecond: ops / seconds,
      okPerSecond: (statuses[scenario.expect] ?? 0) / seconds,
      busy: statuses[503] ?? 0,
      p50Ms: percentile(latencies, 0.5),
      p90Ms: percentile(latencies, 0.9),
      p99Ms: percentile(latencies, 0.99),
      errors,
      non2xx3xx: count((s) => s < 200 || s >= 400),
      unexpected: count((s) => s >= 200 && s < 400 && s !== scenario.expect),
      statuses,
      cpuPerOp: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, ops > 0 ? v / ops : 0])),
      cores: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, v / seconds])),
      otherCores: Math.max(0, machine - measured) / seconds,
    };
  } finally {
    stopping = true;
    await pool.close();
  }
}
