import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { ComposedMail } from './templates.js';

/** Where composed mail goes: an SMTP server, or (npm start without SMTP_URL) files. */
export interface MailTransport {
  /** Resolves once the mail was accepted (by the SMTP server, or written). */
  send(mail: ComposedMail): Promise<void>;
  /** Throws when the server cannot be reached or refuses us, with its reason. */
  verify(): Promise<void>;
  close(): void;
  /** For the start-up log line; an SMTP URL is shown without its password. */
  readonly description: string;
}

const fields = (mail: ComposedMail) => ({ from: mail.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, messageId: mail.messageId });

/** nodemailer's SMTP transport; a connection per mail, so a restarted server is simply used again. */
export function smtpTransport(url: string): MailTransport {
  const transporter = nodemailer.createTransport(url);
  return {
    async send(mail) {
      await transporter.sendMail(fields(mail));
    },
    async verify() {
      await transporter.verify();
    },
    close: () => transporter.close(),
    description: redactedUrl(url),
  };
}

/**
 * `npm start` with no SMTP server: each mail becomes `<dir>/<id>.eml` (open it in a mail
 * program) and a short block on the console with its link, so a newcomer can click it.
 */
export function fileTransport(dir: string, print: (text: string) => void = (text) => process.stdout.write(text)): MailTransport {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(mail) {
      const info = await transporter.sendMail(fields(mail));
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = join(dir, `${mail.id}.eml`);
      await writeFile(file, info.message as Buffer, { mode: 0o600 });
      print(['', `  ✉  Mail to ${mail.to}: ${mail.subject}`, `     ${mail.link}`, `     (saved as ${file})`, ''].join('\n') + '\n');
    },
    async verify() {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    },
    close() {},
    description: `files in ${dir}`,
  };
}

function redactedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
