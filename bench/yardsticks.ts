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

const logger = pino({ level: 'silent' });

export interface HashYardstick {
  params: Argon2Params;
  hashes: number;
  /** CPU seconds of one hash (all threads of this process), and its wall time. */
  cpuMs: number;
  wallMs: number;
  cores: number;
  /** cores ÷ hash CPU: no machine this size can hash (so register or log in) faster. */
  limitPerSecond: number;
}

/** Hashes one after another on one thread, timing this process's CPU around them. */
export async function measureHash(params: Argon2Params, hashes: number): Promise<HashYardstick & { phc: string }> {
  let phc = await hashPassword('warm-up password 1', params);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < hashes; i++) phc = await hashPassword('bench: correct horse battery staple 7', params);
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000 / hashes;
  const cores = availableParallelism();
  return { params, hashes, cpuMs, wallMs: (performance.now() - started) / hashes, cores, limitPerSecond: cores / (cpuMs / 1000), phc };
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
}

/**
 * The bare echo (own process, own queue) and GETHASH against the Back End, over the same broker
 * and client library, at each in-flight count.
 */
export async function measureRpcs(opts: { amqpUrls: string[]; queue: string; email: string; inFlight: number[]; seconds: number; logDir: string; tiers: Tiers }): Promise<RpcYardsticks> {
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
