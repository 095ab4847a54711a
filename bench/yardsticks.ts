import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import type { RequestInput } from '@gatehouse/protocol';
import { AmqpRpcClient, connectAmqp } from '@gatehouse/messaging';
import { hashPassword, type Argon2Params } from '@gatehouse/front-end';
import { cpuBetween, sampleCpu, type Tiers } from './cpu.js';
import { spawnLogged } from './services.js';
import { summarize } from './stats.js';
import { measurePaced, measurePacedShared, type PacedFigure } from './paced-echo.js';

const logger = pino({ level: 'silent' });

export interface HashYardstick {
  params: Argon2Params;
  /** Hashes in each round of each of the two measurements. */
  hashes: number;
  /** Rounds of the every-core measurement; the median one is the limit. */
  rounds: number;
  /** The slowest and fastest round's hashes per second: how much the machine moved meanwhile. */
  limitRange: [number, number];
  /** CPU of one hash (all threads of this process) with one hash at a time, and its wall time. */
  aloneCpuMs: number;
  aloneWallMs: number;
  /** CPU of one hash while every core hashes, as they do under load: the cores share caches and memory bandwidth. */
  cpuMs: number;
  cores: number;
  /** Hashes per second measured with every core hashing: no machine this size can register or log in faster. */
  limitPerSecond: number;
}

const PASSWORD = 'bench: correct horse battery staple 7';

/**
 * The hashing limit, measured: first one hash at a time, then one per core at once. The second
 * is the limit; the first alone would overstate it (on the 2-core VM by about 60%). The second
 * is the median of three rounds: a round is under a second, and on the VM one round's limit
 * moved by 10% between runs of the same tree.
 */
export async function measureHash(params: Argon2Params, hashes: number, rounds = 3): Promise<HashYardstick & { phc: string }> {
  // Warm-up: the first runs pay for page faults in argon2's memory.
  for (let i = 0; i < 3; i++) await hashPassword(`warm-up password ${i}`, params);
  const cores = availableParallelism();
  const alone = await timeHashes(params, hashes, 1);
  const measured: { cpuMs: number; wallMs: number }[] = [];
  for (let round = 0; round < rounds; round++) measured.push(await timeHashes(params, hashes, cores));
  const together = measured.sort((a, b) => a.wallMs - b.wallMs)[Math.floor(rounds / 2)]!;
  return {
    params,
    hashes,
    rounds,
    limitRange: [hashes / (measured.at(-1)!.wallMs / 1000), hashes / (measured[0]!.wallMs / 1000)],
    aloneCpuMs: alone.cpuMs,
    aloneWallMs: alone.wallMs / hashes,
    cpuMs: together.cpuMs,
    cores,
    limitPerSecond: hashes / (together.wallMs / 1000),
    phc: await hashPassword(PASSWORD, params),
  };
}

/** `count` hashes, `atOnce` at a time: CPU per hash, and the whole run's wall time (ms). */
async function timeHashes(params: Argon2Params, count: number, atOnce: number): Promise<{ cpuMs: number; wallMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  let left = count;
  const worker = async () => {
    while (left-- > 0) await hashPassword(PASSWORD, params);
  };
  await Promise.all(Array.from({ length: atOnce }, worker));
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - started;
  return { cpuMs: (used.user + used.system) / 1000 / count, wallMs };
}

export interface RpcFigure {
  inFlight: number;
  calls: number;
  perSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  errors: number;
  /** CPU ms per call: the broker, the server (echo or Back End), PostgreSQL, this process. */
  cpuPerCallMs?: Record<string, number>;
}

/** `inFlight` callers, each calling back to back for `seconds`. */
export async function measureRpc(rpc: AmqpRpcClient, request: RequestInput, inFlight: number, seconds: number): Promise<RpcFigure> {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          await rpc.call(request);
          latencies.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { inFlight, calls: latencies.length, perSecond: latencies.length / elapsed, ...summarize(latencies), errors };
}

export interface RpcYardsticks {
  echo: RpcFigure[];
  gethash: RpcFigure[];
  /** With --paced-echo: the echo at a steady rate, its server on its own connection and on the caller's. */
  paced?: PacedFigure[];
}

/**
 * The bare echo (own process, own queue) and GETHASH against the Back End, over the same broker
 * and client library, at each in-flight count.
 */
export async function measureRpcs(opts: { amqpUrls: string[]; queue: string; email: string; inFlight: number[]; seconds: number; pacedRate: number; logDir: string; tiers: Tiers }): Promise<RpcYardsticks> {
  const echoQueue = `bench.echo.${randomUUID().slice(0, 8)}`;
  const echoServer = spawnLogged('bench/echo-server.ts', { AMQP_URL: opts.amqpUrls.join(','), ECHO_QUEUE: echoQueue, ECHO_QUEUE_MODE: 'quorum' }, opts.logDir, 'echo');
  const connection = connectAmqp({ urls: opts.amqpUrls, name: 'bench', logger });
  const client = (queue: string) => new AmqpRpcClient({ connection, queue, mode: 'quorum', timeoutMs: 10_000, logger });
  const echo = client(echoQueue);
  const backEnd = client(opts.queue);
  try {
    const request: RequestInput = { action: 'GETHASH', data: { email: opts.email } };
    await untilAnswered(echo, request);
    await untilAnswered(backEnd, request);
    // Unmeasured: both servers' code warm (JIT, pools, channels) before either is timed.
    const warmup = Math.min(1, opts.seconds / 2);
    await Promise.all([measureRpc(echo, request, 16, warmup), measureRpc(backEnd, request, 16, warmup)]);
    const result: RpcYardsticks = { echo: [], gethash: [] };
    const { rabbitmq, postgres, backEnd: backEndPids } = opts.tiers;
    const timed = async (rpc: AmqpRpcClient, server: () => number[], n: number) => {
      const tiers: Tiers = { rabbitmq: rabbitmq!, server, ...(server === backEndPids ? { postgres: postgres! } : {}) };
      const before = sampleCpu(tiers);
      const figure = await measureRpc(rpc, request, n, opts.seconds);
      const { machine: _, ...cpu } = cpuBetween(before, sampleCpu(tiers));
      return { ...figure, cpuPerCallMs: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, (v * 1000) / Math.max(1, figure.calls)])) };
    };
    for (const n of opts.inFlight) {
      result.echo.push(await timed(echo, () => [echoServer.pid], n));
      result.gethash.push(await timed(backEnd, backEndPids!, n));
    }
    if (opts.pacedRate > 0) {
      const { pacedRate: rate, seconds } = opts;
      result.paced = [
        { connections: 'separate', ...(await measurePaced(echo, request, rate, seconds, rabbitmq!)) },
        { connections: 'shared', ...(await measurePacedShared(connection, request, rate, seconds, rabbitmq!)) },
      ];
    }
    return result;
  } finally {
    await echo.close();
    await backEnd.close();
    await connection.close();
    await echoServer.stop();
  }
}

/** The echo's queue exists once its server has started; until then a call is refused. */
async function untilAnswered(rpc: AmqpRpcClient, request: RequestInput): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await rpc.call(request, { timeoutMs: 5000 });
      return;
    } catch (err) {
      if (i >= 100) throw err;
      await sleep(200);
    }
  }
}
