import type { Logger } from 'pino';
import { relayOutbox, type Database, type RelayOptions } from '@gatehouse/database';
import type { OutboxKick } from '../handlers/context.js';

/** Where relayed mail ids go: the mail queue, or npm start's in-process Mailer. */
export interface MailPublisher {
  /** Resolves once the id is safely handed over (a confirmed publish). */
  publish(id: string): Promise<void>;
}

export const RELAY_DEFAULTS: RelayOptions & { sweepMs: number } = {
  limit: 100,
  olderThanMs: 0,
  // Well past a Mailer's lease and its retries: only a mail whose message was lost is still unsent then.
  republishAfterMs: 15 * 60_000,
  maxPublishes: 3,
  sweepMs: 5000,
};

/**
 * The outbox's relay (the transactional outbox pattern): a handler that queued mail kicks it
 * right after its commit, and a sweep every few seconds catches what a kick missed (a Back End
 * that died between the commit and the publish, or a broker that was down). Passes never overlap;
 * a kick during a pass runs one more.
 */
export class OutboxRelay implements OutboxKick {
  #running?: Promise<void>;
  #again = false;
  #timer?: NodeJS.Timeout;
  #stopped = false;

  constructor(
    private readonly db: Database,
    private readonly publisher: MailPublisher,
    private readonly logger: Logger,
    private readonly options = RELAY_DEFAULTS,
  ) {}

  start(): this {
    this.#timer = setInterval(() => this.kick(), this.options.sweepMs);
    this.#timer.unref();
    this.kick();
    return this;
  }

  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#pass().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.kick();
      }
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#running;
  }

  async #pass(): Promise<void> {
    try {
      let relayed;
      do {
        relayed = await relayOutbox(this.db, (id) => this.publisher.publish(id), this.options);
        if (relayed) this.logger.debug({ relayed }, 'Relayed outbox mail to the mail queue');
      } while (relayed === this.options.limit && !this.#stopped);
    } catch (err) {
      // Left in the outbox: the next sweep tries again.
      this.logger.warn({ err: { message: (err as Error).message } }, 'Could not relay the outbox; the next sweep retries');
    }
  }
}
