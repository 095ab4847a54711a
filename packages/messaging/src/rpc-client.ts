import type { Connection } from 'rabbitmq-client';
import type { Logger } from 'pino';
import type { Reply, RequestInput } from '@gatehouse/protocol';
import { RpcUnavailableError } from './errors.js';
import { PendingCall } from './pending-call.js';
import type { QueueMode } from './request-queue.js';
import { RpcChannel } from './rpc-channel.js';
import type { CallOptions, RpcClient } from './rpc-types.js';

export interface AmqpRpcClientOptions {
  connection: Connection;
  queue: string;
  mode: QueueMode;
  timeoutMs: number;
  logger: Logger;
}

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
      this.#send(request, call, timeoutMs).catch((err) => call.fail(new RpcUnavailableError(request.action, err)));
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#opening?.catch(() => undefined);
    await this.#open?.close().catch(() => undefined);
  }

  async #send(request: RequestInput, call: PendingCall, timeoutMs: number): Promise<void> {
    if (this.#closed) throw new Error('RPC client is closed');
    const channel = await this.#channel();
    await channel.publish(
      call,
      {
        routingKey: this.options.queue,
        messageId: call.id, // the Back End's idempotency key
        contentType: 'application/json',
        durable: this.options.mode === 'quorum',
        expiration: String(timeoutMs), // nobody waits for an answer after this
      },
      Buffer.from(JSON.stringify(request)),
    );
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
