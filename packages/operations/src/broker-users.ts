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

/** Declare and consume the request queue and its dead letters (messaging's dead-letters.ts); publish replies. */
export function backEndPermissions(queue = 'request'): BrokerPermissions {
  const q = escape(queue);
  return {
    configure: `^${q}(\\.dead|\\.dead-letter)?$`,
    // amq.default carries the replies; binding the dead queue is a write on it; declaring a
    // queue with a dead-letter exchange needs write on that exchange (and read on the queue).
    write: `^(amq\\.default|${q}\\.dead|${q}\\.dead-letter)$`,
    // Binding reads the dead-letter exchange.
    read: `^(${q}|${q}\\.dead-letter)$`,
  };
}

/**
 * The monitoring user may neither configure, write nor read any resource over AMQP; it needs a
 * permission entry only so the management API shows it the default vhost's queues.
 */
export function monitorPermissions(): BrokerPermissions {
  return { configure: '^$', write: '^$', read: '^$' };
}
