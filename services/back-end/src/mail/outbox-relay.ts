import type { Logger } from 'pino';
import { markPublished, relayOutbox, type Database, type RelayOptions } from '@gatehouse/database';
import type { OutboxKick } from '../handlers/context.js';

/** Where relayed mail ids go: the mail queue, or npm start's in-process Mailer. */
export interface MailPublisher {
  /** Resolves once the id is safely handed over (a confirmed publish). */
  publish(id: string): Promise<void>;
}

export const RELAY_DEFAULTS: RelayOptions & { sweepMs: number; sweepOlderThanMs: number; handOverBatchMs: number } = {
  limit: 100,
  olderThanMs: 0,
  // The sweep leaves a mail this young to the handler that handed it over (kick with its id).
  sweepOlderThanMs: 10_000,
  // Mails handed over this close together are published together and marked by one UPDATE,
  // not one each (under `npm run bench` the broker's CPU per mail did not measurably change).
  handOverBatchMs: 50,
  // Well past a Mailer's lease and its retries: only a mail whose message was lost is still unsent then.
  republishAfterMs: 15 * 60_000,
  maxPublishes: 3,
  sweepMs: 5000,
};

/**
 * The outbox's relay (the transactional outbox pattern). A handler that queued one mail hands
 * its id over right after the commit (`kick(id)`): it is published within `handOverBatchMs`
 * with the others handed over meanwhile, and they are marked published in one UPDATE. A
 * handler that does not know its mail's id kicks a pass, which publishes what is unpublished. A sweep every few
 * seconds catches what both missed (a Back End that died between the commit and the publish,
 * or a broker that was down). Passes never overlap; a kick during a pass runs one more.
 */
export class OutboxRelay implements OutboxKick {
  #running?: Promise<void>;
  /** The youngest mail age asked for while a pass ran: one more pass runs with it. */
  #againOlderThanMs?: number;
  #timer?: NodeJS.Timeout;
  #stopped = false;
  readonly #handOvers = new Set<Promise<void>>();
  #batch: string[] = [];
  #batchTimer?: NodeJS.Timeout;

  constructor(
    private readonly db: Database,
    private readonly publisher: MailPublisher,
    private readonly logger: Logger,
    private readonly options = RELAY_DEFAULTS,
  ) {}

  start(): this {
    this.#timer = setInterval(() => this.#pass(this.options.sweepOlderThanMs), this.options.sweepMs);
    this.#timer.unref();
    this.kick();
    return this;
  }

  kick(mailId?: string): void {
    if (this.#stopped) return;
    if (mailId !== undefined) this.#handOver(mailId);
    else this.#pass(this.options.olderThanMs);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#flushBatch();
    await Promise.all([this.#running, ...this.#handOvers]);
  }

  #pass(olderThanMs: number): void {
    if (this.#stopped) return;
    if (this.#running) {
      // A sweep that waits keeps its age, so it does not take fresh mails from their handlers.
      this.#againOlderThanMs = Math.min(this.#againOlderThanMs ?? olderThanMs, olderThanMs);
      return;
    }
    this.#running = this.#relay(olderThanMs).finally(() => {
      this.#running = undefined;
      const again = this.#againOlderThanMs;
      this.#againOlderThanMs = undefined;
      if (again !== undefined) this.#pass(again);
    });
  }

  async #relay(olderThanMs: number): Promise<void> {
    try {
      let relayed;
      do {
        relayed = await relayOutbox(this.db, (id) => this.publisher.publish(id), { ...this.options, olderThanMs });
        if (relayed) this.logger.debug({ relayed }, 'Relayed outbox mail to the mail queue');
      } while (relayed === this.options.limit && !this.#stopped);
    } catch (err) {
      // Left in the outbox: the next sweep tries again.
      this.logger.warn({ err: { message: (err as Error).message } }, 'Could not relay the outbox; the next sweep retries');
    }
  }

  /** Collects the ids handed over within `handOverBatchMs`, to publish and mark them together. */
  #handOver(id: string): void {
    this.#batch.push(id);
    this.#batchTimer ??= setTimeout(() => this.#flushBatch(), this.options.handOverBatchMs);
  }

  #flushBatch(): void {
    clearTimeout(this.#batchTimer);
    this.#batchTimer = undefined;
    const ids = this.#batch;
    this.#batch = [];
    if (ids.length === 0) return;
    const done = this.#publishAndMark(ids);
    this.#handOvers.add(done);
    void done.finally(() => this.#handOvers.delete(done));
  }

  async #publishAndMark(ids: string[]): Promise<void> {
    const results = await Promise.allSettled(ids.map((id) => this.publisher.publish(id)));
    const published = ids.filter((_, i) => results[i]!.status === 'fulfilled');
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) {
      const message = (failure.reason as Error).message;
      this.logger.warn({ err: { message }, mails: ids.length - published.length }, 'Could not publish mails; the sweep retries');
    }
    if (published.length === 0) return;
    // Unmarked, a mail is published again by a sweep: a duplicate the Mailer's claim makes harmless.
    await markPublished(this.db, published).catch((err: Error) =>
      this.logger.warn({ err: { message: err.message }, mails: published.length }, 'Could not mark mails published; a sweep may publish them again'));
  }
}
