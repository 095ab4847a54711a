import type { AsyncMessage, Channel, Connection, Envelope, ReturnedMessage } from 'rabbitmq-client';
import { RpcUnavailableError } from './errors.js';
import type { PendingCall } from './pending-call.js';
import { rawBody } from './raw-body.js';
import { ReplySlots } from './reply-slots.js';
import type { QueueMode } from './request-queue.js';

/**
 * RabbitMQ's direct reply-to: replies go straight to the channel that consumes this
 * pseudo-queue, so no queue is declared per call (a cluster-wide operation on a cluster).
 */
export const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

/**
 * The RPC client's confirm-mode channel, and everything that comes back on it: replies
 * (quorum mode: direct reply-to, which must be consumed on the channel that publishes) and
 * requests the broker could not route (published mandatory, so they come back instead of
 * vanishing). Textbook mode's replies come to per-call queues instead (ReplySlots), since the
 * textbook's Back End replies without a correlation_id.
 */
export class RpcChannel {
  readonly #calls = new Map<string, PendingCall>();
  /** What to do instead of failing a call when this channel is lost before its reply came (confirmed or not). */
  readonly #onLost = new Map<string, () => void>();
  readonly #slots?: ReplySlots;

  private constructor(private readonly channel: Channel, mode: QueueMode) {
    if (mode === 'textbook') this.#slots = new ReplySlots(channel);
    channel.on('basic.return', (msg: ReturnedMessage) => this.#returned(msg));
    // Replies to this channel cannot arrive on any other, so its calls are lost with it.
    channel.on('close', () => this.#failAll('the channel closed before the reply came'));
  }

  static async open(connection: Connection, mode: QueueMode): Promise<RpcChannel> {
    const channel = await connection.acquire();
    try {
      const rpc = new RpcChannel(channel, mode);
      await channel.confirmSelect();
      if (mode === 'quorum') await channel.basicConsume({ queue: DIRECT_REPLY_TO, noAck: true }, (msg) => rpc.#replied(msg));
      return rpc;
    } catch (err) {
      await channel.close();
      throw err;
    }
  }

  get active(): boolean {
    return this.channel.active;
  }

  /**
   * Publishes the request with somewhere for its reply to go; resolves when the broker confirmed
   * it. If the channel is lost before the reply comes, confirmed or not, `onLost` runs (once)
   * instead of the call failing: an unconfirmed request may or may not have been enqueued, and
   * a copy with the same message id is safe either way.
   */
  async publish(call: PendingCall, envelope: Envelope, body: Buffer, onLost?: () => void): Promise<void> {
    this.#calls.set(call.id, call);
    if (onLost) this.#onLost.set(call.id, onLost);
    call.onEnd(() => this.#forget(call.id));
    const replyTo = this.#slots ? await this.#slots.hold(call) : DIRECT_REPLY_TO;
    if (call.ended) return;
    try {
      await this.channel.basicPublish({ ...envelope, replyTo, correlationId: call.id, mandatory: true }, body);
    } catch (err) {
      // The channel died with the request unconfirmed: #failAll has resent it (on 'close'), or does so here.
      if (onLost && !this.channel.active) return this.#lost(call);
      this.#forget(call.id); // it may be sent again on another channel
      throw err;
    }
  }

  /** Takes no new calls; closes once the calls it carries have had time to end. */
  retire(afterMs: number): void {
    setTimeout(() => void this.close().catch(() => undefined), afterMs).unref();
  }

  close(): Promise<void> {
    return this.channel.close();
  }

  #replied(msg: AsyncMessage): void {
    // An unknown or absent id is a late reply to a call that has already ended.
    if (msg.correlationId) this.#calls.get(msg.correlationId)?.settle(rawBody(msg));
  }

  #returned(msg: ReturnedMessage): void {
    const call = msg.correlationId ? this.#calls.get(msg.correlationId) : undefined;
    const why = `the broker returned it: ${msg.replyText} (is anything serving "${msg.routingKey}"?)`;
    call?.fail(new RpcUnavailableError(call.action, new Error(why)));
  }

  #failAll(why: string): void {
    for (const call of [...this.#calls.values()]) this.#lost(call, why);
  }

  /** The channel is gone before `call`'s reply came: sent again if it may be, failed otherwise. */
  #lost(call: PendingCall, why = 'the channel closed before the reply came'): void {
    if (!this.#calls.has(call.id)) return; // already sent again, or failed
    const onLost = this.#onLost.get(call.id);
    this.#forget(call.id);
    if (onLost && !call.ended) onLost();
    else call.fail(new RpcUnavailableError(call.action, new Error(why)));
  }

  #forget(id: string): void {
    this.#calls.delete(id);
    this.#onLost.delete(id);
  }
}
