import { setTimeout as sleep } from 'node:timers/promises';
import { ConsumerStatus, type AsyncMessage, type Connection } from 'rabbitmq-client';
import type { Logger } from 'pino';
import { declareRequestQueue, requestQueueOptions, type QueueMode } from './request-queue.js';
import type { RequestHandler, RequestMeta } from './rpc-types.js';
import { rawBody } from './raw-body.js';
import { serveRequest } from './serve-request.js';
import { isDirectReplyAddress, isReplyAddress } from './reply-address.js';
import { IsolatedReplies, type IsolatedSend } from './isolated-replies.js';
import { requestIdFromHeaders } from './request-trace.js';
import { deadlineFromHeaders, isPast } from './request-deadline.js';

export interface RpcServerOptions {
  connection: Connection;
  queue: string;
  mode: QueueMode;
  /** Upper bound on unacknowledged requests this worker holds at once. */
  prefetch: number;
  handle: RequestHandler;
  logger: Logger;
  /** Pause before handing back a request whose handler failed, so an outage does not spin. */
  requeueDelayMs?: number;
  /** Called for each request this worker rejects into the dead letters (quorum mode), for metrics. */
  onDeadLettered?: () => void;
  /**
   * A second connection, for replies to redelivered requests (isolated-replies.ts). Without it, a
   * reply to a caller whose broker node died closes `connection` at each delivery, until the
   * delivery limit. The caller owns it and closes it after the server.
   */
  replyConnection?: Connection;
  /** Called for each reply that could not be delivered because its caller's node is gone. */
  onUnreachableReply?: () => void;
  /** Called for each request acknowledged unanswered because its caller's deadline passed (request-deadline.ts). */
  onExpired?: (when: ExpiredWhen) => void;
}

/** Whether an expired request was never started, or failed once its deadline had passed. */
export type ExpiredWhen = 'before_start' | 'while_running';

export interface RpcServer {
  /** True while the broker delivers requests to this worker (false while reconnecting or closed). */
  isConsuming(): boolean;
  /** Stops taking requests, lets the ones in flight finish, then closes. */
  close(): Promise<void>;
}

/**
 * Consumes the request queue. A request is acknowledged only after its reply is confirmed
 * by the broker; if the handler fails it is requeued, and quorum mode's delivery limit
 * dead-letters it in the end.
 */
export async function startRpcServer(options: RpcServerOptions): Promise<RpcServer> {
  const { connection, queue, mode, prefetch, logger } = options;
  await declareRequestQueue(connection, queue, mode);
  // One attempt: if the connection is lost the request returns to the queue anyway, redelivered.
  const replies = connection.createPublisher({ confirm: true, maxAttempts: 1 });
  const isolated = options.replyConnection && new IsolatedReplies(options.replyConnection);
  const send: SendReply = (envelope, reply, redelivered) =>
    isolated && redelivered && isDirectReplyAddress(envelope.routingKey)
      ? isolated.send(envelope, reply)
      : replies.send(envelope, reply).then(() => 'sent' as const);
  const consumer = connection.createConsumer(
    { queue, queueOptions: requestQueueOptions(queue, mode), qos: { prefetchCount: prefetch }, concurrency: prefetch },
    (msg) => answer(msg, options, send).then((status) => {
      if (status === ConsumerStatus.DROP && mode === 'quorum') options.onDeadLettered?.();
      return status;
    }),
  );
  consumer.on('error', (err) => logger.error({ err }, 'Request consumer error'));
  consumer.on('ready', () => logger.info({ queue, mode, prefetch }, 'Starting consumption...'));
  return {
    isConsuming: () => consumer.consumerTag !== '',
    async close() {
      await consumer.close();
      await replies.close();
      await isolated?.close();
    },
  };
}

type SendReply = (envelope: { routingKey: string; correlationId?: string; exchange: string }, body: unknown, redelivered: boolean) => Promise<IsolatedSend>;

async function answer(msg: AsyncMessage, options: RpcServerOptions, send: SendReply): Promise<ConsumerStatus> {
  const meta = requestMeta(msg, options.logger);
  const { logger } = meta;
  if (msg.replyTo && !isReplyAddress(msg.replyTo, options.mode)) {
    // Not processed at all: rejected, so quorum mode keeps it in the dead queue for a look.
    logger.warn({ requestId: meta.requestId, replyTo: msg.replyTo.slice(0, 255) }, 'Request names a reply_to that is not a reply queue; dead-lettering it');
    return ConsumerStatus.DROP;
  }
  if (isPast(meta.deadline)) return expired(meta, options, 'before_start');
  let outcome;
  try {
    outcome = await serveRequest(rawBody(msg), meta, options.handle);
  } catch (err) {
    return failed(err, msg, meta, options);
  }
  if (outcome.malformed) logger.warn({ requestId: meta.requestId, reason: outcome.reply.message }, 'Malformed request');
  if (!msg.replyTo) {
    logger.warn({ requestId: meta.requestId }, 'Request has no reply_to; nobody can be answered');
    return outcome.malformed ? ConsumerStatus.DROP : ConsumerStatus.ACK;
  }
  const sent = await send({ exchange: '', routingKey: msg.replyTo, correlationId: msg.correlationId }, outcome.reply, msg.redelivered);
  if (sent === 'unreachable') {
    // The outcome is stored: a caller that reconnected elsewhere and retries gets it.
    logger.warn({ requestId: meta.requestId }, "Reply address is on a broker node that is gone; acknowledging the request unanswered");
    options.onUnreachableReply?.();
  }
  return ConsumerStatus.ACK;
}

type Meta = RequestMeta & { logger: Logger };

/** The message's ids, its deadline (a malformed header is logged and ignored) and a logger that names it. */
function requestMeta(msg: AsyncMessage, parent: Logger): Meta {
  // One child logger per message: every line about it carries the id of the request it serves.
  const reqId = requestIdFromHeaders(msg.headers);
  const logger = parent.child({ reqId });
  const requestId = requestIdOf(msg);
  const header = deadlineFromHeaders(msg.headers);
  if (!header.ok) logger.warn({ requestId, reason: header.reason }, 'Request has a malformed deadline header; serving it without a deadline');
  return { requestId, reqId, logger, deadline: header.ok ? header.deadline : undefined };
}

/** A failed handler: returned to the queue for another try, unless its caller's deadline has passed by then. */
async function failed(err: unknown, msg: AsyncMessage, meta: Meta, options: RpcServerOptions): Promise<ConsumerStatus> {
  // Only the message and code: a database error can carry the query's parameters (hashes).
  const { message, code } = err as { message?: string; code?: string };
  if (isPast(meta.deadline)) return expired(meta, options, 'while_running', code);
  meta.logger.error({ err: { message, code }, requestId: meta.requestId, redelivered: msg.redelivered }, 'Request failed; returning it to the queue');
  await sleep(options.requeueDelayMs ?? 1000);
  return isPast(meta.deadline) ? expired(meta, options, 'while_running') : ConsumerStatus.REQUEUE;
}

/** Nobody waits for this answer any more: acknowledged unanswered, neither retried nor dead-lettered. */
function expired(meta: Meta, options: RpcServerOptions, when: ExpiredWhen, code?: string): ConsumerStatus {
  const what = when === 'before_start' ? 'not started' : 'not retried';
  meta.logger.warn({ requestId: meta.requestId, when, code }, `Request's deadline passed; acknowledging it unanswered (${what})`);
  options.onExpired?.(when);
  return ConsumerStatus.ACK;
}

/** The idempotency key, if the sender gave a usable one: printable ASCII, as our client sends. */
function requestIdOf(msg: AsyncMessage): string | undefined {
  const id = msg.messageId || msg.correlationId;
  return id && /^[\x21-\x7e]{1,255}$/.test(id) ? id : undefined;
}
