import type { LoadResult } from './load.js';
import { LOAD_SETTINGS } from './target.js';
import type { HashYardstick, RpcFigure, RpcYardsticks } from './yardsticks.js';

const HASHING = new Set(['register', 'login']);

export interface ScenarioRow extends LoadResult {
  /** register and login: successful operations per second ÷ the hash-bound limit. */
  ofHashLimit?: number;
  /** CPU of every service tier (not the load generator) per operation, in ms. */
  serviceCpuMs: number;
  /** register and login: serviceCpuMs ÷ the CPU of one hash. */
  hashMultiple?: number;
}

export interface SeedFigures {
  users: number;
  /** Rows in the table afterwards (the seeded ones, login users and those registered earlier). */
  rows: number;
  /** COPY and VACUUM (ANALYZE). */
  seconds: number;
  /** Per concurrency: login p50 with the table full ÷ the figure before seeding. */
  loginP50Ratio: { concurrency: number; emptyMs: number; fullMs: number; ratio: number }[];
}

export interface Report {
  version: 1;
  startedAt: string;
  seconds: number;
  command: string;
  source: { commit: string; uncommitted: boolean };
  machine: { cores: number; cpu: string; node: string; loadBefore: number[]; note: string };
  target: string;
  /** "defaults", or the variant's overrides. */
  variant: string;
  settings: Record<string, string>;
  hash: HashYardstick;
  rpc: RpcYardsticks & { gethashPerEcho: { inFlight: number; throughputRatio: number; p50Ratio: number }[] };
  scenarios: ScenarioRow[];
  seed?: SeedFigures;
}

/** Adds the yardstick ratios to a load result. */
export function withRatios(result: LoadResult, hash: HashYardstick): ScenarioRow {
  // Every tier but the load generator (the cluster adds HAProxy and etcd).
  const serviceCpuMs = Object.entries(result.cpuPerOp).reduce((sum, [t, s]) => sum + (t === 'loadgen' ? 0 : s), 0) * 1000;
  const base = result.scenario.replace(/ .*/, '');
  if (!HASHING.has(base)) return { ...result, serviceCpuMs };
  return { ...result, serviceCpuMs, ofHashLimit: result.okPerSecond / hash.limitPerSecond, hashMultiple: serviceCpuMs / hash.cpuMs };
}

export function rpcRatios(rpc: RpcYardsticks): Report['rpc'] {
  const gethashPerEcho = rpc.echo.map((echo, i) => {
    const gethash = rpc.gethash[i]!;
    return { inFlight: echo.inFlight, throughputRatio: gethash.perSecond / echo.perSecond, p50Ratio: echo.p50Ms / gethash.p50Ms };
  });
  return { ...rpc, gethashPerEcho };
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const int = (x: number) => Math.round(x).toLocaleString('en-US');
/** "CPU/call: RabbitMQ 0.31, server 0.12, …" in ms. */
const rpcCpu = (f: RpcFigure) => {
  const names: Record<string, string> = { rabbitmq: 'RabbitMQ', server: 'server', postgres: 'PostgreSQL', loadgen: 'client' };
  return f.cpuPerCallMs ? `; CPU ms/call: ${Object.entries(f.cpuPerCallMs).map(([k, v]) => `${names[k] ?? k} ${ms(v)}`).join(', ')}` : '';
};

export const SCENARIO_HEADER = '| scenario | users | ops/s | ok/s | 503s | p50 ms | p90 ms | p99 ms | errors | non-2xx/3xx | CPU ms/op: Front End | Back End | RabbitMQ | PostgreSQL | load gen | other load, cores | vs yardstick |';

/** The sentence that says what was measured: the defaults users get, or a named variant. */
export function settingsLine(r: Pick<Report, 'variant' | 'settings'>, loadSettings: Record<string, string>): string {
  const forced = Object.entries(loadSettings).map(([k, v]) => `${k}=${v}`).join(' and ');
  const base = `the defaults users get, except ${forced}, which load from one address must raise`;
  return r.variant === 'defaults' ? `Settings: ${base}.` : `Settings: a variant, not the baseline: ${base}, and ${r.variant.replace(/^variant: /, '')}.`;
}

/** The report as Markdown: yardsticks, then one row per scenario and concurrency. */
export function toMarkdown(r: Report): string {
  const h = r.hash;
  const lines = [
    `Gatehouse benchmark of ${r.source.commit}${r.source.uncommitted ? ' with uncommitted changes in services/ or packages/' : ''}, ${r.startedAt} (${r.seconds.toFixed(0)} s): ${r.machine.cores} cores (${r.machine.cpu}), Node ${r.machine.node}, ${r.target}.` +
      ` Load average before: ${r.machine.loadBefore.map((x) => x.toFixed(2)).join(', ')}.${r.machine.note ? ` ${r.machine.note}` : ''}`,
    '',
    settingsLine(r, LOAD_SETTINGS),
    '',
    '| yardstick | figure |',
    '|---|---|',
    `| argon2id hash (m=${h.params.memoryKib} KiB, t=${h.params.timeCost}, p=${h.params.parallelism}) | ${ms(h.aloneCpuMs)} ms CPU, ${ms(h.aloneWallMs)} ms wall, one at a time; ${ms(h.cpuMs)} ms CPU each with ${h.cores} at once (means of ${h.hashes}; the median of ${h.rounds} rounds) |`,
    `| hash-bound limit: ${h.cores} hashes at once, measured | ${int(h.limitPerSecond)} hashes/s (rounds ${int(h.limitRange[0])}–${int(h.limitRange[1])}/s; ${h.cores} cores ÷ the CPU of one hash alone would say ${int(h.cores / (h.aloneCpuMs / 1000))}/s) |`,
  ];
  for (const [i, echo] of r.rpc.echo.entries()) {
    const gethash = r.rpc.gethash[i]!;
    const ratio = r.rpc.gethashPerEcho[i]!;
    lines.push(`| bare RPC echo, ${echo.inFlight} in flight | ${int(echo.perSecond)}/s, p50 ${ms(echo.p50Ms)} ms, p99 ${ms(echo.p99Ms)} ms${rpcCpu(echo)} |`);
    lines.push(`| GETHASH RPC, ${gethash.inFlight} in flight | ${int(gethash.perSecond)}/s (${pct(ratio.throughputRatio)} of the echo), p50 ${ms(gethash.p50Ms)} ms (echo's p50 is ${pct(ratio.p50Ratio)} of it)${rpcCpu(gethash)} |`);
  }
  for (const p of r.rpc.paced ?? []) {
    const where = p.connections === 'shared' ? 'client and server on one connection' : 'server on its own connection';
    lines.push(`| echo paced at ${int(p.perSecond)}/s, ${where} | RabbitMQ ${ms(p.brokerCpuMs)} ms CPU per call; p50 ${ms(p.p50Ms)} ms; ${p.errors} errors |`);
  }
  lines.push('', SCENARIO_HEADER, '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const s of r.scenarios) {
    const cpu = (t: string) => ms((s.cpuPerOp[t] ?? 0) * 1000);
    const vs = s.ofHashLimit === undefined ? '' : `${pct(s.ofHashLimit)} of the limit; CPU ${s.hashMultiple!.toFixed(2)} × hash`;
    lines.push(
      `| ${s.scenario} | ${s.concurrency} | ${int(s.opsPerSecond)} | ${int(s.okPerSecond)} | ${s.busy} | ${ms(s.p50Ms)} | ${ms(s.p90Ms)} | ${ms(s.p99Ms)} | ${s.errors} | ${s.non2xx3xx} | ${cpu('frontEnd')} | ${cpu('backEnd')} | ${cpu('rabbitmq')} | ${cpu('postgres')} | ${cpu('loadgen')} | ${s.otherCores.toFixed(2)} | ${vs} |`,
    );
  }
  if (r.seed) {
    lines.push('', `Seeded ${int(r.seed.users)} users with COPY (and VACUUM ANALYZE) in ${r.seed.seconds.toFixed(1)} s; the table holds ${int(r.seed.rows)} rows. Login p50, table full ÷ before seeding:`, '');
    lines.push('| users | before ms | full ms | ratio |', '|---:|---:|---:|---:|');
    for (const x of r.seed.loginP50Ratio) lines.push(`| ${x.concurrency} | ${ms(x.emptyMs)} | ${ms(x.fullMs)} | ${x.ratio.toFixed(2)} |`);
  }
  lines.push('', `Command: \`${r.command}\``, '');
  return lines.join('\n');
}
