import { Connection } from 'rabbitmq-client';
import type { Logger } from 'pino';

export interface AmqpConnectionOptions {
  /** One URL per broker node; credentials and vhost are taken from the first. */
  urls: string[];
  /** Shown in the management UI, so operators can tell the tiers apart. */
  name: string;
  logger: Logger;
}

/**
 * One long-lived connection per process: the textbook's "better solution" to
 * connecting once per HTTP request. It reconnects with backoff across all hosts.
 */
export function connectAmqp({ urls, name, logger }: AmqpConnectionOptions): Connection {
  const connection = new Connection({ ...connectionTarget(urls), connectionName: name, ...CONNECTION_OPTIONS });
  connection.on('connection', () => logger.info({ broker: describeBroker(urls) }, 'Messaging: connected'));
  connection.on('error', (err) => logger.warn({ err: errorSummary(err) }, 'Messaging: connection error, reconnecting'));
  return connection;
}

// Short retries: with these, clients of a killed node reconnected to a survivor in well under a second
// on a three-node test cluster; the library's defaults took over a second.
// noDelay: RPC frames are small, and with Nagle's algorithm on a write could wait for the ACK of the
// previous one (delayed up to 40 ms); measured, /secret's p99 at 32 users fell from 65 to 40 ms.
const CONNECTION_OPTIONS = { retryLow: 100, retryHigh: 2000, connectionTimeout: 2000, heartbeat: 5, acquireTimeout: 5000, noDelay: true };

export function connectionTarget(urls: string[]) {
  const [first, ...rest] = urls.map((u) => new URL(u));
  if (!first) throw new Error('AMQP_URL must name at least one broker');
  for (const url of [first, ...rest]) {
    if (url.protocol !== 'amqp:' && url.protocol !== 'amqps:') {
      throw new Error(`AMQP_URL entry "${url.host}" must start with amqp:// or amqps://`);
    }
  }
  const vhost = decodeURIComponent(first.pathname.replace(/^\//, '')) || '/';
  return {
    hosts: [first, ...rest].map((url) => `${url.hostname}:${url.port || (url.protocol === 'amqps:' ? 5671 : 5672)}`),
    username: decodeURIComponent(first.username),
    password: decodeURIComponent(first.password),
    vhost,
    tls: first.protocol === 'amqps:',
  };
}

/** Hosts without credentials, for logs. */
export function describeBroker(urls: string[]): string {
  return urls.map((u) => new URL(u).host).join(',');
}

function errorSummary(err: unknown) {
  const e = err as { code?: string; message?: string };
  // rabbitmq-client prefixes the broker's reason with the (often undefined) class id.
  return { code: e.code, message: e.message?.replace(/^undefined: /, '') };
}
