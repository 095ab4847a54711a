import { randomUUID } from 'node:crypto';
import type { AsyncMessage, Channel } from 'rabbitmq-client';
import type { PendingCall } from './pending-call.js';
import { rawBody } from './raw-body.js';
import { REPLY_QUEUE_PREFIX } from './reply-address.js';

/**
 * A private reply queue that carries at most one call at a time. Because of that, a reply
 * without a correlation_id (as the textbook's Back End sends) still reaches the right caller.
 */
interface ReplySlot {
  queue: string;
  call?: PendingCall;
}

/**
 * Textbook mode's reply queues on one channel: reused after a reply, deleted after any other
 * end (a timeout, a refused or returned publish), since a late reply may still come to them.
 */
export class ReplySlots {
  readonly #free: ReplySlot[] = [];

  constructor(private readonly channel: Channel) {}

  /** A reply queue that belongs to `call` until it ends; resolves with its name. */
  async hold(call: PendingCall): Promise<string> {
    const slot = this.#free.pop() ?? (await this.#create());
    slot.call = call;
    call.onEnd((end) => (end === 'replied' ? this.#give(slot) : this.#discard(slot)));
    return slot.queue;
  }

  async #create(): Promise<ReplySlot> {
    const slot: ReplySlot = { queue: `${REPLY_QUEUE_PREFIX}${randomUUID()}` };
    await this.channel.queueDeclare({ queue: slot.queue, exclusive: true, autoDelete: true });
    await this.channel.basicConsume({ queue: slot.queue, noAck: true }, (msg) => this.#deliver(slot, msg));
    return slot;
  }

  #give(slot: ReplySlot): void {
    slot.call = undefined;
    if (this.channel.active) this.#free.push(slot);
  }

  #discard(slot: ReplySlot): void {
    slot.call = undefined;
    if (this.channel.active) this.channel.queueDelete({ queue: slot.queue }).catch(() => undefined);
  }

  #deliver(slot: ReplySlot, msg: AsyncMessage): void {
    const call = slot.call;
    // A correlation_id that names another call is a stale reply; no id means "the current call".
    if (!call || (msg.correlationId && msg.correlationId !== call.id)) return;
    call.settle(rawBody(msg));
  }
}
