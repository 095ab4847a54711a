/**
 * One broker user per tier, with RabbitMQ permission regexes (configure, write, read) that give
 * each only what it does. Worked out on RabbitMQ 3.10 and shown by
 * test/integration/broker-users.test.ts, which creates users with these very regexes.
 *
 * Publishing to the default exchange is a write on `amq.default`, whatever the routing key:
 * RabbitMQ cannot limit it to one queue, so either tier could publish into any queue. What
 * the regexes do hold: the Front End cannot consume, get or purge requests, nor declare or
 * delete the queues; the Back End cannot read anyone's reply queues.
 */
export interface BrokerPermissions {
  configure: string;
  write: string;
  read: string;
}

export const FRONT_END_BROKER_USER = 'gatehouse-front-end';
export const BACK_END_BROKER_USER = 'gatehouse-back-end';
export const MAILER_BROKER_USER = 'gatehouse-mailer';
/** The Front End's /status reads the management API as this user (RABBITMQ_MONITOR_USER). */
export const MONITOR_BROKER_USER = 'gatehouse-monitor';
/** RabbitMQ's `monitoring` tag: read-only management API access to nodes, connections and queues. */
export const MONITOR_BROKER_TAGS = 'monitoring';

const escape = (name: string) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Our client's textbook-mode reply queues (messaging's REPLY_QUEUE_PREFIX). */
const REPLY_QUEUES = '^gatehouse\\.reply\\.';

/**
 * Publish requests; in textbook mode, declare and read its own reply queues. Consuming direct
 * reply-to needs no permission (RabbitMQ 3.10).
 */
export function frontEndPermissions(): BrokerPermissions {
  return { configure: REPLY_QUEUES, write: '^amq\\.default$', read: REPLY_QUEUES };
}

/**
 * What declaring (and consuming) a queue with its dead letters takes (messaging's dead-letters.ts):
 * binding the dead queue is a write on it; declaring a queue with a dead-letter exchange needs
 * write on that exchange and read on the queue; binding reads the dead-letter exchange.
 */
function queueWithDeadLetters(queue: string) {
  const q = escape(queue);
  return { configure: `${q}(\\.dead|\\.dead-letter)?`, write: `${q}\\.dead|${q}\\.dead-letter`, read: `${q}|${q}\\.dead-letter` };
}

/** Any of `queues`, each with its dead letters; amq.default carries requests and replies. */
function forQueues(...queues: string[]): BrokerPermissions {
  const parts = queues.map(queueWithDeadLetters);
  const any = (pick: (p: ReturnType<typeof queueWithDeadLetters>) => string) => parts.map(pick).join('|');
  return { configure: `^(${any((p) => p.configure)})$`, write: `^(amq\\.default|${any((p) => p.write)})$`, read: `^(${any((p) => p.read)})$` };
}

/** Declare and consume the request queue; declare the mail queue and publish to it (the outbox relay); publish replies. */
export function backEndPermissions(queue = 'request', mailQueue = 'mail'): BrokerPermissions {
  return forQueues(queue, mailQueue);
}

/** Declare and consume the mail queue; publish MAIL_CLAIM and MAIL_SENT requests (direct reply-to needs nothing). */
export function mailerPermissions(mailQueue = 'mail'): BrokerPermissions {
  return forQueues(mailQueue);
}

/**
 * The monitoring user may neither configure, write nor read any resource over AMQP; it needs a
 * permission entry only so the management API shows it the default vhost's queues.
 */
export function monitorPermissions(): BrokerPermissions {
  return { configure: '^$', write: '^$', read: '^$' };
}
