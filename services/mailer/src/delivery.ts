import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { RpcClient } from '@gatehouse/messaging';
import type { SiteSettings } from './config.js';
import { composeMail, type OutboxMail } from './templates.js';
import type { MailTransport } from './transport.js';

/** How one delivery ended: sent now, sent before (a redelivered message), or no such mail. */
export type DeliveryOutcome = 'sent' | 'already_sent' | 'gone';

/** Another Mailer holds the mail's claim: try again after `retryInMs`. */
export class ClaimHeldError extends Error {
  override readonly name = 'ClaimHeldError';
  constructor(readonly retryInMs: number) {
    super(`Another Mailer is sending this mail; its claim runs out in ${retryInMs} ms`);
  }
}

/** How long a claim lets this Mailer send before another may: well above an SMTP conversation. */
export const DEFAULT_LEASE_MS = 60_000;
/** Ids this process handed to the SMTP server but could not yet mark sent: remembered, not resent. */
const SENT_MEMORY = 10_000;

/**
 * One mail, once: claim it from the Back End (which also hands over its content), send it, and
 * tell the Back End it was sent. The claim keeps two Mailers from sending one mail at once, and
 * a mail marked sent is never sent again. What is left is the moment between the SMTP server's
 * acceptance and MAIL_SENT: this process remembers such ids, so only its own death in that
 * moment can send a mail twice (docs/security.md).
 */
export class MailDelivery {
  readonly #sentHere = new Set<string>();

  constructor(
    private readonly rpc: RpcClient,
    private readonly transport: MailTransport,
    private readonly site: SiteSettings,
    private readonly logger: Logger,
    private readonly leaseMs = DEFAULT_LEASE_MS,
  ) {}

  async deliver(id: string): Promise<DeliveryOutcome> {
    if (!this.#sentHere.has(id)) {
      const mail = await this.#claim(id);
      if (typeof mail === 'string') return mail;
      await this.transport.send(composeMail(mail, this.site));
      this.#remember(id);
    }
    const marked = await this.rpc.call({ action: 'MAIL_SENT', data: { id } });
    if (!marked.success) throw new Error(`MAIL_SENT was refused: ${marked.message ?? 'no reason given'}`);
    this.#sentHere.delete(id);
    this.logger.info({ mailId: id }, 'Mail sent');
    return 'sent';
  }

  async #claim(id: string): Promise<OutboxMail | 'already_sent' | 'gone'> {
    const claimant = randomBytes(16).toString('base64url');
    const reply = await this.rpc.call({ action: 'MAIL_CLAIM', data: { id, claimant, leaseMs: this.leaseMs } });
    if (reply.success && reply.mail) return reply.mail as OutboxMail;
    if (reply.mailState === 'busy') throw new ClaimHeldError(reply.retryInMs ?? this.leaseMs);
    if (reply.mailState === 'sent') return 'already_sent';
    if (reply.mailState === 'gone') return 'gone';
    throw new Error(`MAIL_CLAIM was refused: ${reply.message ?? 'no reason given'}`);
  }

  #remember(id: string): void {
    if (this.#sentHere.size >= SENT_MEMORY) this.#sentHere.delete(this.#sentHere.values().next().value!);
    this.#sentHere.add(id);
  }
}
