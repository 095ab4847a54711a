import { randomUUID } from 'node:crypto';
import type { AsyncMessage, Channel } from 'rabbitmq-client';
import { rawBody } from './raw-body.js';

/** A call waiting for its reply on one slot. */
export interface PendingCall {
  id: string;
  settle(body: Buffer | undefined): void;
}

/**
 * A private reply queue that carries at most one call at a time. Because of that, a reply
 * without a correlation_id (as the textbook's Back End sends) still reaches the right caller.
 */
export interface ReplySlot {
  queue: string;
  consumerTag: string;
  call?: PendingCall;
}

/** Reply queues on one channel: reused when a call ends, discarded when a call times out. */
export class ReplySlots {
  readonly #free: ReplySlot[] = [];
  readonly #all = new Set<ReplySlot>();

  constructor(private readonly channel: Channel) {}

  async take(): Promise<ReplySlot> {
    const free = this.#free.pop();
    if (free) return free;
    const queue = `gatehouse.reply.${randomUUID()}`;
    await this.channel.queueDeclare({ queue, exclusive: true, autoDelete: true });
    const slot: ReplySlot = { queue, consumerTag: '' };
    const { consumerTag } = await this.channel.basicConsume({ queue, noAck: true }, (msg) => this.#deliver(slot, msg));
    slot.consumerTag = consumerTag;
    this.#all.add(slot);
    return slot;
  }

  give(slot: ReplySlot): void {
    slot.call = undefined;
    if (this.#all.has(slot)) this.#free.push(slot);
  }

  /** A late reply may still come to this queue, so it is deleted rather than reused. */
  discard(slot: ReplySlot): void {
    slot.call = undefined;
    this.#all.delete(slot);
    const i = this.#free.indexOf(slot);
    if (i >= 0) this.#free.splice(i, 1);
    if (this.channel.active) this.channel.queueDelete({ queue: slot.queue }).catch(() => undefined);
  }

  #deliver(slot: ReplySlot, msg: AsyncMessage): void {
    const call = slot.call;
    // A correlation_id that names another call is a stale reply; no id means "the current call".
    if (!call || (msg.correlationId && msg.correlationId !== call.id)) return;
    call.settle(rawBody(msg));
  }
}
