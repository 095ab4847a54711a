import type { Logger } from 'pino';
import { OutboxRelay, type BackEndConfig, type OutboxKick } from '@gatehouse/back-end';
import type { Database } from '@gatehouse/database';
import type { RpcClient } from '@gatehouse/messaging';
import { DEFAULT_RETRY, fileTransport, InProcessMailer, MailDelivery, smtpTransport, startMailQueueConsumer, verifyTransport, type MailTransport } from '@gatehouse/mailer';
import type { SiteSettings } from '@gatehouse/mailer/config';

/** The Back End's handler is built before the relay it kicks: this forwards to it once it exists. */
export class LateOutboxKick implements OutboxKick {
  target?: OutboxKick;
  kick(mailId?: string): void {
    this.target?.kick(mailId);
  }
}

export interface EmbeddedMailSettings {
  /** Unset: mail is written to `mailDir` as .eml files and its link printed on the console. */
  smtpUrl?: string | undefined;
  site: SiteSettings;
  concurrency: number;
  leaseMs: number;
  mailDir: string;
}

type Over =
  | { rpc: RpcClient; db: Database; outbox: LateOutboxKick }
  | { broker: BackEndConfig & { rpcTimeoutMs: number } };

/**
 * `npm start`'s Mailer: in-process beside the in-process Back End (its relay hands ids straight
 * to it), or, when npm start talks to a broker, a consumer of the mail queue like the service.
 */
export async function startEmbeddedMail(settings: EmbeddedMailSettings, over: Over, logger: Logger): Promise<() => Promise<void>> {
  const transport: MailTransport = settings.smtpUrl ? smtpTransport(settings.smtpUrl) : fileTransport(settings.mailDir);
  logger.info({ mail: transport.description }, settings.smtpUrl ? 'Mail goes out through SMTP_URL' : 'No SMTP_URL: mail is written to files, and its link shown here');
  if ('broker' in over) {
    const b = over.broker;
    const mailer = await startMailQueueConsumer(
      { amqpUrls: b.amqpUrls, requestQueue: b.requestQueue, queueMode: b.queueMode, mailQueue: b.mailQueue, rpcTimeoutMs: b.rpcTimeoutMs, leaseMs: settings.leaseMs, concurrency: settings.concurrency, site: settings.site, transport },
      logger,
    );
    return () => mailer.stop();
  }
  if (settings.smtpUrl) await verifyTransport(transport, logger);
  else await transport.verify();
  const mailer = new InProcessMailer(new MailDelivery(over.rpc, transport, settings.site, logger, settings.leaseMs), logger, DEFAULT_RETRY);
  const relay = new OutboxRelay(over.db, mailer, logger).start();
  over.outbox.target = relay;
  return async () => {
    await relay.stop();
    await mailer.stop();
    transport.close();
  };
}
