import { randomUUID } from 'node:crypto';
import type { Channel, Connection } from 'rabbitmq-client';
import type { Logger } from 'pino';
import { decodeJson, replySchema, type Reply, type RequestInput } from '@gatehouse/protocol';
import { RpcBadReplyError, RpcTimeoutError, RpcUnavailableError } from './errors.js';
import { ReplySlots, type ReplySlot } from './reply-slots.js';
import type { QueueMode } from './request-queue.js';
import type { CallOptions, RpcClient } from './rpc-types.js';

export interface AmqpRpcClientOptions {
  connection: Connection;
  queue: string;
  mode: QueueMode;
  timeoutMs: number;
  logger: Logger;
}

interface Call {
  id: string;
  action: string;
  timedOut: boolean;
  slot?: ReplySlot;
  slots?: ReplySlots;
  resolve(reply: Reply): void;
  reject(err: Error): void;
}

/**
 * Request/reply over the `request` queue: correlation ids, publisher confirms, and a
 * per-call timeout. Replies are pushed to us by the broker; nothing polls.
 */
export class AmqpRpcClient implements RpcClient {
  #open?: { channel: Channel; slots: ReplySlots };
  #opening?: Promise<{ channel: Channel; slots: ReplySlots }>;
  #closed = false;

  constructor(private readonly options: AmqpRpcClientOptions) {}

  isReady(): boolean {
    return !this.#closed && this.options.connection.ready;
  }

  call(request: RequestInput, options: CallOptions = {}): Promise<Reply> {
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    return new Promise<Reply>((resolve, reject) => {
      const call: Call = { id: randomUUID(), action: request.action, timedOut: false, resolve, reject };
      const timer = setTimeout(() => this.#timeOut(call, timeoutMs), timeoutMs);
      const done = () => clearTimeout(timer);
      call.resolve = (reply) => (done(), resolve(reply));
      call.reject = (err) => (done(), reject(err));
      this.#send(request, call, timeoutMs).catch((err) => call.reject(new RpcUnavailableError(request.action, err)));
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#opening?.catch(() => undefined);
    await this.#open?.channel.close().catch(() => undefined);
  }

  async #send(request: RequestInput, call: Call, timeoutMs: number): Promise<void> {
    if (this.#closed) throw new Error('RPC client is closed');
    const { channel, slots } = await this.#channel();
    const slot = await slots.take();
    if (call.timedOut) return slots.give(slot);
    call.slot = slot;
    call.slots = slots;
    slot.call = { id: call.id, settle: (body) => this.#settle(call, slots, body) };
    await channel.basicPublish(
      {
        routingKey: this.options.queue,
        replyTo: slot.queue,
        correlationId: call.id,
        messageId: call.id, // the Back End's idempotency key
        contentType: 'application/json',
        durable: this.options.mode === 'quorum',
        expiration: String(timeoutMs), // nobody waits for an answer after this
      },
      Buffer.from(JSON.stringify(request)),
    );
  }

  #settle(call: Call, slots: ReplySlots, body: Buffer | undefined): void {
    if (call.slot) slots.give(call.slot);
    const decoded = body ? decodeJson(body) : { ok: false as const, message: 'unreadable body' };
    const parsed = decoded.ok ? replySchema.safeParse(decoded.value) : undefined;
    if (parsed?.success) call.resolve(parsed.data);
    else call.reject(new RpcBadReplyError(call.action, decoded.ok ? 'not a protocol reply' : decoded.message));
  }

  #timeOut(call: Call, timeoutMs: number): void {
    call.timedOut = true;
    if (call.slot) call.slots?.discard(call.slot);
    call.reject(new RpcTimeoutError(call.action, timeoutMs));
  }

  /** One confirm-mode channel, opened again after the connection recovers. */
  #channel(): Promise<{ channel: Channel; slots: ReplySlots }> {
    if (this.#open?.channel.active) return Promise.resolve(this.#open);
    this.#opening ??= this.#openChannel().finally(() => (this.#opening = undefined));
    return this.#opening;
  }

  async #openChannel(): Promise<{ channel: Channel; slots: ReplySlots }> {
    const channel = await this.options.connection.acquire();
    await channel.confirmSelect();
    this.#open = { channel, slots: new ReplySlots(channel) };
    return this.#open;
  }
}
