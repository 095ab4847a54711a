import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { freePort } from '../harness/free-port.js';

/**
 * A real SMTP server on a free loopback port (the `smtp-server` package) that keeps every mail
 * it accepted, parsed with `mailparser`. It can be stopped and started again on the same port
 * (an SMTP server that is down for a while), and can hold a mail's DATA unanswered (a Mailer
 * killed mid-send).
 */
export class SmtpCatcher {
  readonly mails: ParsedMail[] = [];
  /** Connections that sent a whole DATA, including those held unanswered. */
  dataReceived = 0;
  #server?: SMTPServer;
  #holdData = false;
  readonly #waiters = new Set<() => void>();

  private constructor(readonly port: number) {}

  static async start(): Promise<SmtpCatcher> {
    const catcher = new SmtpCatcher(await freePort());
    await catcher.up();
    return catcher;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** While true, a mail's DATA is read but never answered: the sender waits, the mail is not accepted. */
  holdData(hold: boolean): void {
    this.#holdData = hold;
  }

  async up(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          this.dataReceived++;
          if (this.#holdData) return; // never answered: the mail is not accepted
          simpleParser(Buffer.concat(chunks)).then((mail) => {
            this.mails.push(mail);
            for (const wake of this.#waiters) wake();
            callback();
          }, callback);
        });
      },
    });
    server.on('error', () => undefined); // a client that vanishes mid-conversation is expected here
    await new Promise<void>((resolve, reject) => {
      server.listen(this.port, '127.0.0.1', resolve);
      server.once('error', reject);
    });
    this.#server = server;
  }

  async down(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Mails to `address` so far. */
  to(address: string): ParsedMail[] {
    return this.mails.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((t) => t?.value.some((v) => v.address?.toLowerCase() === address.toLowerCase())));
  }

  /** Resolves with the first mail to `address`, or fails after `timeoutMs`. */
  async waitFor(address: string, timeoutMs = 30_000, count = 1): Promise<ParsedMail[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.to(address).length < count) {
      if (Date.now() > deadline) throw new Error(`No mail to ${address} within ${timeoutMs} ms (${this.mails.length} mails in all)`);
      await new Promise<void>((resolve) => {
        const wake = () => resolve();
        this.#waiters.add(wake);
        setTimeout(() => {
          this.#waiters.delete(wake);
          resolve();
        }, 200);
      });
    }
    return this.to(address);
  }
}

/** The reset link a mail carries (its text part). */
export function resetLinkIn(mail: ParsedMail): string {
  return linkIn(mail, '/reset-password');
}

/** The link to `path` (with its token) a mail carries, in its text part. */
export function linkIn(mail: ParsedMail, path: string): string {
  const match = new RegExp(`https?://\\S+${path}\\?token=[A-Za-z0-9_%-]+`).exec(mail.text ?? '');
  if (!match) throw new Error(`No ${path} link in the mail:\n${mail.text}`);
  return match[0];
}
