import type { Logger } from 'pino';
import { AmqpRpcClient, amqpLoginRefusal, connectAmqp } from '@gatehouse/messaging';
import { startHealthServer, withBackoff } from '@gatehouse/runtime';
import type { MailerConfig } from './config.js';
import { MailDelivery } from './delivery.js';
import { startMailConsumer } from './mail-consumer.js';
import { MailerMetrics } from './metrics.js';
import { DEFAULT_RETRY, type RetryPolicy } from './retrying.js';
import { smtpTransport, type MailTransport } from './transport.js';

export interface RunningMailer {
  /** Consuming the mail queue now (false while the broker is away). */
  isConsuming(): boolean;
  stop(): Promise<void>;
}

/** Waits for the SMTP server as the other tiers wait for theirs, saying why it is not there yet. */
export async function verifyTransport(transport: MailTransport, logger: Logger): Promise<void> {
  await withBackoff(`the SMTP server (${transport.description})`, () => transport.verify(), { logger, refusal: smtpRefusal });
}

/** An SMTP login refused (5xx on AUTH) will not pass by waiting. */
function smtpRefusal(err: unknown): string | undefined {
  const { code, responseCode } = err as { code?: string; responseCode?: number };
  if (code === 'EAUTH') return `The SMTP server refused the login in SMTP_URL (${responseCode ?? 'no code'}): check its user and password`;
  return undefined;
}

/** What a Mailer needs besides the broker: where mail goes, and what it says about the site. */
export type MailerSettings = Omit<MailerConfig, 'smtpUrl' | 'logLevel' | 'health'> & { transport: MailTransport; metrics?: MailerMetrics };

/** The service: the SMTP server of its config, and its health and metrics port if one is set. */
export async function startMailer(config: MailerConfig, logger: Logger, retry: RetryPolicy = DEFAULT_RETRY): Promise<RunningMailer> {
  const metrics = new MailerMetrics();
  const mailer = await startMailQueueConsumer({ ...config, transport: smtpTransport(config.smtpUrl), metrics }, logger, retry);
  if (!config.health) return mailer;
  let stopping = false;
  const readiness = { problem: async () => (stopping ? 'shutting down' : mailer.isConsuming() ? undefined : 'not consuming the mail queue') };
  const health = await startHealthServer(config.health, readiness, logger, metrics.registry);
  return {
    isConsuming: mailer.isConsuming,
    async stop() {
      stopping = true;
      await mailer.stop();
      await health.close();
    },
  };
}

/** Connects to the broker and to where mail goes, then consumes the mail queue. */
export async function startMailQueueConsumer(settings: MailerSettings, logger: Logger, retry: RetryPolicy = DEFAULT_RETRY): Promise<RunningMailer> {
  const { transport, metrics, ...config } = settings;
  await verifyTransport(transport, logger);
  const connection = connectAmqp({ urls: config.amqpUrls, name: 'gatehouse-mailer', logger });
  await withBackoff('messaging service', () => connection.onConnect(5000, true), { logger, refusal: (err) => amqpLoginRefusal(err, config.amqpUrls) });
  const rpc = new AmqpRpcClient({ connection, queue: config.requestQueue, mode: config.queueMode, timeoutMs: config.rpcTimeoutMs, logger });
  const delivery = new MailDelivery(rpc, transport, config.site, logger, config.leaseMs);
  const consumer = await startMailConsumer({ connection, queue: config.mailQueue, mode: config.queueMode, concurrency: config.concurrency, delivery, retry, logger, metrics });
  logger.info({ smtp: transport.description, from: config.site.from }, 'Mailer started');
  return {
    isConsuming: consumer.isConsuming,
    async stop() {
      await consumer.close();
      await rpc.close();
      await connection.close();
      transport.close();
    },
  };
}
