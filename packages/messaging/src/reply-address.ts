import type { QueueMode } from './request-queue.js';

/** Our textbook-mode client's reply queues: `gatehouse.reply.<uuid>`. */
export const REPLY_QUEUE_PREFIX = 'gatehouse.reply.';

/** What the broker turns `amq.rabbitmq.reply-to` into: the address of the caller's channel. */
const DIRECT_REPLY_PREFIX = 'amq.rabbitmq.reply-to.';

/** A broker-named queue (`queue_declare(queue='')`), as the textbook's pika clients use. */
const SERVER_NAMED_PREFIX = 'amq.gen-';

/** True for a direct reply-to address: a caller's channel, not a queue. */
export const isDirectReplyAddress = (replyTo: string): boolean => replyTo.startsWith(DIRECT_REPLY_PREFIX);

/**
 * True when `replyTo` names a reply queue. The Back End answers nothing else: otherwise any
 * client of the broker could have a reply (a user's hash) put into a queue it reads.
 */
export function isReplyAddress(replyTo: string, mode: QueueMode): boolean {
  if (isDirectReplyAddress(replyTo) || replyTo.startsWith(REPLY_QUEUE_PREFIX)) return true;
  return mode === 'textbook' && replyTo.startsWith(SERVER_NAMED_PREFIX);
}
