import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from 'rabbitmq-client';
import type { Logger } from 'pino';
import type { Reply, RequestInput } from '@gatehouse/protocol';
import { RpcUnavailableError } from './errors.js';
import { PendingCall } from './pending-call.js';
import type { QueueMode } from './request-queue.js';
import { RpcChannel } from './rpc-channel.js';
import { REQUEST_ID_HEADER } from './request-trace.js';
import { REMAINING_MS_HEADER } from './request-deadline.js';
import type { CallOptions, RpcClient } from './rpc-types.js';

export interface AmqpRpcClientOptions {
  connection: Connection;
  queue: string;
  mode: QueueMode;
  timeoutMs: number;
  logger: Logger;
}

/** A refused publish is tried on up to two fresh channels, a moment apart. */
const NACK_ATTEMPTS = 3;
const NACK_RETRY_PAUSE_MS = 200;
/** How often a call whose channel was lost after its request was enqueued is sent again (quorum mode). */
const RESENDS = 1;

/**
 * Request/reply over the `request` queue: correlation ids, publisher confirms, mandatory
 * publishing and a per-call timeout. Replies are pushed to us by the broker; nothing polls.
 */
export class AmqpRpcClient implements RpcClient {
  #open?: RpcChannel;
  #opening?: Promise<RpcChannel>;
  #closed = false;

  constructor(private readonly options: AmqpRpcClientOptions) {}

  isReady(): boolean {
    return !this.#closed && this.options.connection.ready;
  }

  call(request: RequestInput, options: CallOptions = {}): Promise<Reply> {
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    return new Promise<Reply>((resolve, reject) => {
      const call = new PendingCall(request.action, timeoutMs, resolve, reject);
      this.#dispatch(request, call, timeoutMs, options.reqId, RESENDS);
    });
  }

  /**
   * Sends the call. In quorum mode a call whose channel is lost before its reply came (the
   * connection dropped, or its RabbitMQ node died), whether or not the broker had confirmed the
   * request yet, is sent again on a new channel with the same message id, instead of failing: the
   * Back End's idempotency key makes a write run once, so the copy gets the first one's stored
   * reply, and a read is simply read again. The copy carries only the time the caller has left.
   */
  #dispatch(request: RequestInput, call: PendingCall, timeoutMs: number, reqId: string | undefined, resends: number): void {
    if (call.ended || call.remainingMs() === 0) return; // its own timer fails it
    const onLost =
      this.options.mode === 'quorum' && resends > 0 ? () => this.#dispatch(request, call, timeoutMs, reqId, resends - 1) : undefined;
    this.#send(request, call, timeoutMs, reqId, onLost).catch((err) => call.fail(new RpcUnavailableError(request.action, err)));
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#opening?.catch(() => undefined);
    await this.#open?.close().catch(() => undefined);
  }

  async #send(request: RequestInput, call: PendingCall, timeoutMs: number, reqId: string | undefined, onLost?: () => void): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (this.#closed) throw new Error('RPC client is closed');
      const channel = await this.#channel();
      try {
        return await channel.publish(call, this.#envelope(call, reqId), Buffer.from(JSON.stringify(request)), onLost);
      } catch (err) {
        if (!this.#worthAnotherChannel(err, attempt) || call.ended) throw err;
        // RabbitMQ 3.10 keeps refusing a channel's publishes to a quorum queue whose leader died
        // while the channel knew it (seen for as long as that node stayed down); a new channel
        // finds the new leader. A refused message was not enqueued, so sending it again is safe.
        if (this.#open === channel) this.#open = undefined;
        channel.retire(timeoutMs + 1000);
        await sleep(NACK_RETRY_PAUSE_MS);
      }
    }
  }

  #envelope(call: PendingCall, reqId: string | undefined) {
    // A copy sent again gets what is left of the caller's time, not a fresh timeout.
    const remaining = Math.max(1, call.remainingMs());
    return {
      // Only in the headers: the idempotency key hashes the body, so the ids stay out of it.
      headers: { [REMAINING_MS_HEADER]: remaining, ...(reqId ? { [REQUEST_ID_HEADER]: reqId } : {}) },
      routingKey: this.options.queue,
      messageId: call.id, // the Back End's idempotency key
      contentType: 'application/json',
      durable: this.options.mode === 'quorum',
      expiration: String(remaining), // nobody waits for an answer after this
    };
  }

  #worthAnotherChannel(err: unknown, attempt: number): boolean {
    return this.options.mode === 'quorum' && (err as { code?: string }).code === 'NACK' && attempt < NACK_ATTEMPTS;
  }

  /** One channel at a time, opened again (with its reply consumer) after the connection recovers. */
  #channel(): Promise<RpcChannel> {
    if (this.#open?.active) return Promise.resolve(this.#open);
    this.#opening ??= RpcChannel.open(this.options.connection, this.options.mode)
      .then((channel) => (this.#open = channel))
      .finally(() => (this.#opening = undefined));
    return this.#opening;
  }
}
