import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { AsyncMessage, Channel } from 'rabbitmq-client';
import { parseRequest, replySchema, type ParseResult } from '@gatehouse/protocol';
import { AmqpRpcClient, connectAmqp, deadLetterQueueName, type Connection } from '@gatehouse/messaging';
import { createTestDatabase } from '../harness/postgres.js';
import { testLogger as logger } from '../support/silent-logger.js';
import { generateAmqpCases, type AmqpCase } from './amqp/index.js';
import { fuzzCount, fuzzSeed, preview, Problems, tally } from './seed.js';
import { queueCounts, startBackEndProcess, until, type WatchedService } from './services.js';

/**
 * Issue 3, section 9: at least 10,000 malformed messages against the real Back End, run as
 * a child process so that a crash shows. Every message with a reply_to must get exactly one
 * reply; malformed ones without reply_to must be dead-lettered, once; and afterwards the
 * Back End must still register and answer.
 */

const SEED = fuzzSeed();
const COUNT = fuzzCount();
const amqpUrl = inject('amqpUrl');
const queue = `fuzz.request.${randomUUID()}`;
const deadQueue = deadLetterQueueName(queue);

let backEnd: WatchedService | undefined;
let connection: Connection;

/** The management API's view, which (unlike a passive declare) includes unacknowledged messages. */
async function managementCounts(name: string): Promise<{ messages: number; unacked: number } | undefined> {
  const auth = Buffer.from(`${inject('rabbitUser')}:${inject('rabbitPassword')}`).toString('base64');
  const res = await fetch(`http://127.0.0.1:${inject('amqpManagementPort')}/api/queues/%2F/${encodeURIComponent(name)}`, {
    headers: { authorization: `Basic ${auth}` },
  });
  if (!res.ok) return undefined;
  const q = (await res.json()) as { messages?: number; messages_unacknowledged?: number };
  if (q.messages === undefined || q.messages_unacknowledged === undefined) return undefined; // no stats yet
  return { messages: q.messages, unacked: q.messages_unacknowledged };
}

beforeAll(async () => {
  const databaseUrl = await createTestDatabase(inject('postgresUrl'));
  connection = connectAmqp({ urls: [amqpUrl], name: 'gatehouse-amqp-fuzz', logger });
  backEnd = await startBackEndProcess(connection, { AMQP_URL: amqpUrl, DATABASE_URL: databaseUrl, REQUEST_QUEUE: queue, LOG_LEVEL: 'warn' });
});

afterAll(async () => {
  await backEnd?.process.stop('SIGKILL');
  await Promise.race([connection?.close(), sleep(5000)]);
});

interface Sent {
  index: number;
  kase: AmqpCase;
  expected: ParseResult;
}

it(`survives at least ${COUNT} malformed messages: one reply each, poison dead-lettered once, still serving`, { timeout: 240_000 }, async () => {
  const started = Date.now();
  console.log(`[fuzz] AMQP: seed ${SEED} (reproduce with FUZZ_SEED=${SEED}), at least ${COUNT} malformed messages to queue ${queue}`);
  const cases = generateAmqpCases(SEED, COUNT);
  const generatedMs = Date.now() - started;

  // What the protocol says each one is: the protocol package's own validation of the bytes.
  const sent = new Map<string, Sent>();
  cases.forEach((kase, index) => sent.set(`fz-${SEED}-${index}`, { index, kase, expected: parseRequest(kase.body) }));

  // One exclusive reply queue, consumed without acks.
  const replyChannel: Channel = await connection.acquire();
  // Named like our client's reply queues: the Back End answers no other queue.
  const { queue: replyQueue } = await replyChannel.queueDeclare({ queue: `gatehouse.reply.fuzz-${randomUUID()}`, exclusive: true, autoDelete: true });
  const replies = new Map<string, unknown[]>();
  const strays: AsyncMessage[] = [];
  await replyChannel.basicConsume({ queue: replyQueue, noAck: true }, (msg) => {
    const id = msg.correlationId;
    if (!id || !sent.has(id)) return void strays.push(msg);
    const list = replies.get(id) ?? [];
    list.push(Buffer.isBuffer(msg.body) ? msg.body.toString() : msg.body);
    replies.set(id, list);
  });

  // Publish fast on one confirm channel, with a bounded window of unconfirmed messages.
  const publishChannel: Channel = await connection.acquire();
  await publishChannel.confirmSelect();
  const inFlight = new Set<Promise<void>>();
  const publishErrors: string[] = [];
  for (const [correlationId, { kase }] of sent) {
    const publish = publishChannel
      .basicPublish({ routingKey: queue, correlationId, ...(kase.replyTo ? { replyTo: replyQueue } : {}), ...kase.props }, kase.body)
      .catch((err: Error) => void publishErrors.push(`${correlationId}: ${err.message}`));
    inFlight.add(publish);
    void publish.finally(() => inFlight.delete(publish));
    if (inFlight.size >= 256 || kase.body.length > 1_000_000) await Promise.race(inFlight);
    if (kase.body.length > 1_000_000) await Promise.all(inFlight);
  }
  await Promise.all(inFlight);
  const publishedMs = Date.now() - started;
  console.log(`[fuzz] AMQP: published ${sent.size} messages in ${publishedMs} ms`);

  // Wait for every reply owed (with no progress for 20 s we stop waiting), then a little longer for duplicates.
  const owed = [...sent].filter(([, s]) => s.kase.replyTo).map(([id]) => id);
  let lastCount = -1;
  let lastProgress = Date.now();
  let lastLog = Date.now();
  await until('replies', 150_000, () => {
    if (replies.size !== lastCount) [lastCount, lastProgress] = [replies.size, Date.now()];
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      console.log(`[fuzz] AMQP: ${replies.size} of ${owed.length} replies after ${Date.now() - started} ms`);
    }
    return replies.size >= owed.length || Date.now() - lastProgress > 20_000 || backEnd!.state !== 'running';
  });
  await sleep(1500);
  const repliedMs = Date.now() - started;

  // Dead letters: drain the dead-letter queue, noting which messages arrived there and why.
  const expectedDead = new Set([...sent].filter(([, s]) => !s.kase.replyTo && !s.expected.ok).map(([id]) => id));
  const dead = new Map<string, string[]>();
  const deadStrays: string[] = [];
  let deadSeen = 0;
  let lastDeadProgress = Date.now();
  await until('dead letters', 60_000, async () => {
    for (let msg = await connection.basicGet({ queue: deadQueue, noAck: true }); msg; msg = await connection.basicGet({ queue: deadQueue, noAck: true })) {
      deadSeen++;
      lastDeadProgress = Date.now();
      const id = msg.correlationId;
      const deaths = (msg.headers?.['x-death'] as { reason?: string; count?: number }[] | undefined) ?? [];
      const reasons = deaths.map((d) => `${d.reason}x${d.count ?? 1}`);
      if (!id || !sent.has(id)) deadStrays.push(preview(Buffer.isBuffer(msg.body) ? msg.body : JSON.stringify(msg.body), 80));
      else dead.set(id, [...(dead.get(id) ?? []), ...reasons]);
    }
    return dead.size >= expectedDead.size && Date.now() - lastDeadProgress > 1000 ? true : Date.now() - lastDeadProgress > 10_000;
  });

  // The request queue must drain: nothing ready, nothing held unacknowledged (no endless redelivery).
  let requestQueue: { messages: number; unacked: number; ready: number } | undefined;
  await until('the request queue to drain', 30_000, async () => {
    const ready = (await queueCounts(connection, queue))?.messageCount ?? -1;
    const mgmt = await managementCounts(queue);
    requestQueue = { ready, messages: mgmt?.messages ?? -1, unacked: mgmt?.unacked ?? -1 };
    return ready === 0 && mgmt?.messages === 0 && mgmt.unacked === 0;
  }, 1000).catch(() => undefined);

  // Afterwards the Back End still does its job.
  const rpc = new AmqpRpcClient({ connection, queue, mode: 'quorum', timeoutMs: 10_000, logger });
  const email = `after-fuzz-${randomUUID()}@example.com`;
  const hash = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo';
  let afterwards: unknown;
  try {
    afterwards = {
      register: await rpc.call({ action: 'REGISTER', data: { email, hash } }),
      gethash: await rpc.call({ action: 'GETHASH', data: { email } }),
    };
  } catch (err) {
    afterwards = { error: (err as Error).message };
  } finally {
    await rpc.close();
  }

  await Promise.race([Promise.allSettled([replyChannel.close(), publishChannel.close()]), sleep(5000)]);

  // --- judge every message -------------------------------------------------------------------
  const problems = new Problems();
  const about = (id: string) => {
    const { index, kase } = sent.get(id)!;
    return `#${index} ${kase.kind}${kase.replyTo ? '' : ' (no reply_to)'} props=${JSON.stringify(kase.props)} body=${preview(kase.body, 160)}`;
  };
  problems.add('publish failed', ...publishErrors);
  let repliesReceived = 0;
  for (const [id, s] of sent) {
    const got = replies.get(id) ?? [];
    repliesReceived += got.length;
    if (!s.kase.replyTo) {
      if (got.length) problems.add('reply to a message without reply_to', about(id));
      continue;
    }
    if (got.length !== 1) {
      const fate = dead.has(id) ? ` [dead-lettered: ${dead.get(id)!.join(',')}]` : '';
      problems.add(`${got.length} replies (want 1)${s.expected.ok ? ' to a valid request' : ''}`, `${about(id)}${fate}`);
      continue;
    }
    const reply = got[0];
    if (s.expected.ok) {
      if (!replySchema.safeParse(reply).success) problems.add('not a protocol reply to a valid request', `${JSON.stringify(reply)} to ${about(id)}`);
      continue;
    }
    const message = (reply as { message?: unknown } | null)?.message;
    if ((reply as { success?: unknown } | null)?.success !== false || typeof message !== 'string' || message.trim() === '') {
      problems.add('reply is not {success:false, message}', `${preview(JSON.stringify(reply) ?? String(reply), 200)} to ${about(id)}`);
    } else if (reachesBackEndAsBytes(s.kase) && message !== s.expected.reply.message) {
      problems.add(
        'reply differs from the protocol\'s own validation',
        `got ${JSON.stringify(message).slice(0, 160)}, protocol says ${JSON.stringify(s.expected.reply.message).slice(0, 160)}, for ${about(id)}`,
      );
    }
  }
  for (const id of expectedDead) if (!dead.has(id)) problems.add('malformed without reply_to, not dead-lettered', about(id));
  for (const [id, reasons] of dead) {
    if (!expectedDead.has(id)) problems.add(`dead-lettered though ${sent.get(id)!.expected.ok ? 'valid' : 'answered'}`, `${reasons.join(',')}: ${about(id)}`);
    else if (reasons.length !== 1 || reasons[0] !== 'rejectedx1') problems.add('dead-lettered other than rejected once', `${reasons.join(',')}: ${about(id)}`);
  }
  problems.add('unknown dead letters', ...deadStrays);
  problems.add('replies with unknown correlation ids', ...strays.map((m) => String(m.correlationId)));
  if (!requestQueue || requestQueue.ready !== 0 || requestQueue.messages !== 0 || requestQueue.unacked !== 0) {
    problems.add('request queue did not drain', JSON.stringify(requestQueue));
  }

  const output = backEnd!.process.output();
  const crashLines = backEnd!.crashLines();
  const handlerFailures = output.split('\n').filter((line) => line.includes('Request failed; returning it to the queue'));
  const crashes = (backEnd!.state === 'running' ? 0 : 1) + crashLines.length;
  if (backEnd!.state !== 'running') problems.add('the Back End exited', `code ${backEnd!.state}:\n${output.slice(-3000)}`);
  problems.add('crash in the Back End output', ...crashLines.map((line) => line.slice(0, 1000)));

  const withoutReplyTo = cases.filter((c) => !c.replyTo).length;
  const validCount = [...sent.values()].filter((s) => s.expected.ok).length;
  const totalMs = Date.now() - started;
  console.log(
    `[fuzz] AMQP: ${cases.length} messages (${cases.length - validCount} malformed, ${validCount} valid by the protocol; ${withoutReplyTo} without reply_to; ` +
      `${(cases.reduce((n, c) => n + c.body.length, 0) / 1e6).toFixed(1)} MB), replies ${repliesReceived} of ${owed.length} owed, ` +
      `dead-lettered ${deadSeen} (expected ${expectedDead.size}), handler failures logged ${handlerFailures.length}, ` +
      `crashes ${crashes}, request queue ${JSON.stringify(requestQueue)}, problems ${problems.count}`,
  );
  console.log(`[fuzz] AMQP: kinds ${JSON.stringify(tally(cases.map((c) => c.kind)))}`);
  console.log(
    `[fuzz] AMQP: generated in ${generatedMs} ms, published by ${publishedMs} ms, replies by ${repliesReceived ? repliedMs : '-'} ms, ` +
      `done in ${totalMs} ms; afterwards ${JSON.stringify(afterwards)}`,
  );
  if (handlerFailures.length) console.log(`[fuzz] AMQP: the Back End logged, e.g.:\n  ${handlerFailures.slice(0, 2).map((l) => l.slice(0, 800)).join('\n  ')}`);
  if (problems.count) console.log(`[fuzz] AMQP: problems (seed ${SEED}):\n${problems.report()}`);

  expect(backEnd!.state, 'the Back End process must not exit').toBe('running');
  expect(crashLines, 'the Back End output must show no crash').toEqual([]);
  expect(problems.summary(), `${problems.count} problems (seed ${SEED}); details above`).toEqual({});
  expect(afterwards).toEqual({ register: { success: true }, gethash: { success: true, hash } });
});

/**
 * rabbitmq-client parses a valid application/json body before the Back End sees it, and the
 * Back End serialises it again; that round trip is lossy (1e999 becomes null, very deep nesting
 * cannot be serialised), so only the rejection, not its exact wording, can be compared then.
 */
function reachesBackEndAsBytes(kase: AmqpCase): boolean {
  if (kase.props.contentType !== 'application/json' || kase.props.contentEncoding) return true;
  try {
    JSON.parse(kase.body.toString('utf8'));
    return false;
  } catch {
    return true;
  }
}
