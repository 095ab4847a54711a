import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from 'rabbitmq-client';
import { pino } from 'pino';
import type { RequestInput } from '@gatehouse/protocol';
import { AmqpRpcClient, startRpcServer } from '@gatehouse/messaging';
import { cpuBetween, sampleCpu } from './cpu.js';
import { summarize } from './stats.js';

const logger = pino({ level: 'silent' });

export interface PacedFigure {
  /** Where the echo server consumes: on its own connection (as a Back End does), or on the caller's. */
  connections: 'separate' | 'shared';
  perSecond: number;
  calls: number;
  p50Ms: number;
  errors: number;
  /** The broker's CPU per call (ms): what one RPC costs RabbitMQ at this steady rate. */
  brokerCpuMs: number;
}

/**
 * Calls at a steady `rate` for `seconds`, as a registration rate does, instead of back to back.
 * At low rates the broker does less work per wake-up, and a separate connection per side (the
 * Front End's and the Back End's) costs it more than one shared connection.
 */
export async function measurePaced(rpc: AmqpRpcClient, request: RequestInput, rate: number, seconds: number, broker: () => number[]): Promise<Omit<PacedFigure, 'connections'>> {
  const before = sampleCpu({ broker });
  const latencies: number[] = [];
  let errors = 0;
  const calls: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < Math.max(1, Math.round(rate * seconds)); i++) {
    const t = performance.now();
    calls.push(rpc.call(request).then(() => void latencies.push(performance.now() - t), () => void errors++));
    await sleep(Math.max(0, started + ((i + 1) * 1000) / rate - performance.now()));
  }
  await Promise.all(calls);
  const { broker: brokerSeconds = 0 } = cpuBetween(before, sampleCpu({ broker }));
  const elapsed = (performance.now() - started) / 1000;
  return { perSecond: latencies.length / elapsed, calls: latencies.length, p50Ms: summarize(latencies).p50Ms, errors, brokerCpuMs: (brokerSeconds * 1000) / Math.max(1, latencies.length) };
}

/** The same paced echo with its server on the caller's own connection (an in-process server on a queue of its own). */
export async function measurePacedShared(connection: Connection, request: RequestInput, rate: number, seconds: number, broker: () => number[]): Promise<Omit<PacedFigure, 'connections'>> {
  const queue = `bench.echo.shared.${randomUUID().slice(0, 8)}`;
  const server = await startRpcServer({ connection, queue, mode: 'quorum', prefetch: 64, handle: async () => ({ success: true }), logger });
  const rpc = new AmqpRpcClient({ connection, queue, mode: 'quorum', timeoutMs: 10_000, logger });
  try {
    await rpc.call(request); // the queue exists and both ends are warm
    return await measurePaced(rpc, request, rate, seconds, broker);
  } finally {
    await rpc.close();
    await server.close();
  }
}
