import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Connection } from 'rabbitmq-client';
import { RpcUnavailableError } from '../src/errors.js';
import { REMAINING_MS_HEADER } from '../src/request-deadline.js';
import { AmqpRpcClient } from '../src/rpc-client.js';

interface Published {
  envelope: { messageId: string; correlationId: string; expiration: string; headers: Record<string, unknown> };
  confirm(): void;
}

/** A confirm-mode channel that confirms nothing until told, and dies like rabbitmq-client's (Channel._clear). */
class FakeChannel extends EventEmitter {
  active = true;
  readonly published: Published[] = [];
  #unconfirmed: ((err: Error) => void)[] = [];
  #onReply?: (msg: { correlationId: string; body: Buffer }) => void;

  confirmSelect = async () => undefined;
  basicConsume = async (_params: unknown, onReply: (msg: { correlationId: string; body: Buffer }) => void) => void (this.#onReply = onReply);
  close = async () => void (this.active = false);

  basicPublish(envelope: Published['envelope']): Promise<void> {
    return new Promise((confirm, reject) => {
      this.published.push({ envelope, confirm: () => confirm() });
      this.#unconfirmed.push(reject);
    });
  }

  /** The connection dropped: unconfirmed publishes are rejected, then 'close' is emitted. */
  die(): void {
    this.active = false;
    for (const reject of this.#unconfirmed.splice(0)) reject(new Error('channel is closed'));
    this.emit('close');
  }

  reply(correlationId: string, body: object): void {
    this.#onReply?.({ correlationId, body: Buffer.from(JSON.stringify(body)) });
  }
}

function fakeBroker() {
  const channels: FakeChannel[] = [];
  const connection = { ready: true, acquire: async () => (channels.push(new FakeChannel()), channels.at(-1)!) } as unknown as Connection;
  const rpc = new AmqpRpcClient({ connection, queue: 'request', mode: 'quorum', timeoutMs: 60_000, logger: pino({ level: 'silent' }) });
  return { rpc, channels };
}

/** Resolves once `check` holds, polling on the event loop (no fixed wait). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setImmediate(resolve));
}

/** Until the channel after `index` carries a copy, or the call ends without one (then the test fails on what it checks next). */
async function copyOrEnd(channels: FakeChannel[], index: number, call: Promise<unknown>): Promise<void> {
  await Promise.race([until(() => channels[index + 1]?.published.length === 1), call.then(() => undefined, () => undefined)]);
}

const getHash = { action: 'GETHASH' as const, data: { email: 'ann@example.com' } };

describe('AmqpRpcClient in quorum mode', () => {
  it('sends a call again, once, with the same message id, when its channel dies before the broker confirmed it', async () => {
    const { rpc, channels } = fakeBroker();
    const call = rpc.call(getHash);
    call.catch(() => undefined);
    await until(() => channels[0]?.published.length === 1);
    channels[0]!.die(); // unconfirmed: the broker may or may not have it
    await copyOrEnd(channels, 0, call);
    expect(channels.map((c) => c.published.length)).toEqual([1, 1]);
    const [first, copy] = [channels[0]!.published[0]!.envelope, channels[1]!.published[0]!.envelope];
    expect(copy.messageId).toBe(first.messageId);
    channels[1]!.published[0]!.confirm();
    channels[1]!.reply(copy.correlationId, { success: true, hash: 'h' });
    expect(await call).toEqual({ success: true, hash: 'h' });
  });

  it('fails a call whose copy is lost too, rather than sending it again and again', async () => {
    const { rpc, channels } = fakeBroker();
    const call = rpc.call(getHash);
    call.catch(() => undefined);
    await until(() => channels[0]?.published.length === 1);
    channels[0]!.die();
    await copyOrEnd(channels, 0, call);
    expect(channels.map((c) => c.published.length)).toEqual([1, 1]);
    channels[1]!.die();
    await expect(call).rejects.toBeInstanceOf(RpcUnavailableError);
    expect(channels).toHaveLength(2);
  });

  it('gives a copy only the time its caller has left, as expiration and header', async () => {
    const { rpc, channels } = fakeBroker();
    const call = rpc.call(getHash, { timeoutMs: 10_000 });
    call.catch(() => undefined);
    await until(() => channels[0]?.published.length === 1);
    const sent = performance.now();
    const first = channels[0]!.published[0]!;
    first.confirm();
    await until(() => performance.now() - sent >= 50);
    channels[0]!.die();
    await copyOrEnd(channels, 0, call);
    const copy = channels[1]!.published[0]!.envelope;
    expect(Number(copy.expiration)).toBeLessThanOrEqual(10_000 - 50);
    expect(Number(copy.expiration)).toBeGreaterThan(0);
    expect(copy.headers[REMAINING_MS_HEADER]).toBe(Number(copy.expiration));
    expect(Number(first.envelope.expiration)).toBeLessThanOrEqual(10_000);
    expect(first.envelope.headers[REMAINING_MS_HEADER]).toBe(Number(first.envelope.expiration));
  });
});
