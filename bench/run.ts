/**
 * `npm run bench`: measured figures behind the speed claims in the docs. It starts its own
 * PostgreSQL and RabbitMQ (the test harness), on loopback, and prints what it measured.
 */
import { randomUUID } from 'node:crypto';
import { hashPassword, verifyPassword, FRONT_END_DEFAULTS } from '@gatehouse/front-end';
import { AmqpRpcClient, connectAmqp } from '@gatehouse/messaging';
import { loadBackEndConfig, startBackEnd } from '@gatehouse/back-end';
import { pino } from 'pino';
import { startPostgres, createTestDatabase } from '../test/harness/postgres.js';
import { startRabbit } from '../test/harness/rabbitmq.js';

const logger = pino({ level: 'silent' });

function summary(label: string, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(2);
  console.log(`${label.padEnd(44)} n=${String(samples.length).padStart(5)}  p50 ${at(0.5)} ms  p99 ${at(0.99)} ms`);
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function benchArgon2(): Promise<void> {
  const params = { ...FRONT_END_DEFAULTS.argon2 };
  const hashes: number[] = [];
  const verifies: number[] = [];
  let hash = '';
  for (let i = 0; i < 30; i++) hashes.push(await timed(async () => (hash = await hashPassword('bench password 123', params))));
  for (let i = 0; i < 30; i++) verifies.push(await timed(() => verifyPassword(hash, 'bench password 123')));
  summary('argon2id hash (m=19456, t=2, p=1)', hashes);
  summary('argon2id verify', verifies);
}

async function benchRpc(): Promise<void> {
  const [pg, rabbit] = await Promise.all([startPostgres({ name: 'bench' }), startRabbit({ name: 'bench' })]);
  try {
    const databaseUrl = await createTestDatabase(pg.url);
    const backEnd = await startBackEnd(loadBackEndConfig({ AMQP_URL: rabbit.url, DATABASE_URL: databaseUrl }), logger);
    const connection = connectAmqp({ urls: [rabbit.url], name: 'bench', logger });
    const rpc = new AmqpRpcClient({ connection, queue: 'request', mode: 'quorum', timeoutMs: 10_000, logger });
    const email = `bench-${randomUUID()}@example.com`;
    await rpc.call({ action: 'REGISTER', data: { email, hash: 'h' } });

    const sequential: number[] = [];
    for (let i = 0; i < 500; i++) sequential.push(await timed(() => rpc.call({ action: 'GETHASH', data: { email } })));
    summary('GETHASH round trip, one at a time', sequential);

    const registers: number[] = [];
    for (let i = 0; i < 300; i++) {
      registers.push(await timed(() => rpc.call({ action: 'REGISTER', data: { email: `b${i}-${randomUUID()}@example.com`, hash: 'h' } })));
    }
    summary('REGISTER round trip (quorum queue, commit)', registers);

    const total = 5000;
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next++ < total) await rpc.call({ action: 'GETHASH', data: { email } });
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(`${'GETHASH throughput, 64 in flight'.padEnd(44)} ${Math.round(total / seconds)} requests/s (${total} in ${seconds.toFixed(1)} s)`);

    await rpc.close();
    await connection.close();
    await backEnd.stop();
  } finally {
    await Promise.all([pg.stop(), rabbit.stop()]);
  }
}

console.log(`Gatehouse benchmarks on ${process.version}, ${new Date().toISOString()}`);
await benchArgon2();
await benchRpc();
