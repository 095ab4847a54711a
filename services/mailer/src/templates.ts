import type { SiteSettings } from './config.js';

/** A mail as the outbox holds it (MAIL_CLAIM's answer). */
export interface OutboxMail {
  id: string;
  template: string;
  recipient: string;
  data: Record<string, unknown>;
}

/** A mail ready for nodemailer, and the one link it carries (npm start prints it). */
export interface ComposedMail {
  id: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The same id on every copy, so a rare duplicate (a Mailer that died after the SMTP server took it) is recognisable. */
  messageId: string;
  link: string;
}

export class UnknownTemplateError extends Error {
  override readonly name = 'UnknownTemplateError';
}

/**
 * Renders an outbox mail. Each says which site and which address it is for, and carries
 * one link and nothing else that lets anyone in.
 */
export function composeMail(mail: OutboxMail, site: SiteSettings): ComposedMail {
  if (mail.template !== 'password_reset') throw new UnknownTemplateError(`No template named ${mail.template}`);
  const token = stringField(mail.data, 'token');
  const minutes = minutesLeft(stringField(mail.data, 'expiresAt'));
  const link = `${site.publicUrl}/reset-password?token=${encodeURIComponent(token)}`;
  const lines = [
    `Someone (we hope you) asked to reset the password of the ${site.name} account for ${mail.recipient}.`,
    '',
    `To choose a new password, open this link within ${minutes} minutes. It works once:`,
    link,
    '',
    'If you did not ask for this, ignore this mail: your password stays as it is.',
  ];
  return {
    id: mail.id,
    from: site.from,
    to: mail.recipient,
    subject: `Reset your ${site.name} password`,
    text: `${lines.join('\n')}\n`,
    html: htmlOf(lines, link),
    messageId: `<${mail.id}@${new URL(site.publicUrl).hostname}>`,
    link,
  };
}

function stringField(data: Record<string, unknown>, name: string): string {
  const value = data[name];
  if (typeof value !== 'string' || value === '') throw new UnknownTemplateError(`The mail's data has no ${name}`);
  return value;
}

/** Whole minutes left (at least 1): the mail may go out a little after the link was made. */
function minutesLeft(expiresAt: string): number {
  const ms = Date.parse(expiresAt) - Date.now();
  return Number.isFinite(ms) ? Math.max(1, Math.floor(ms / 60_000)) : 30;
}

/** The same lines as simple HTML, the link as a link; every value escaped. */
function htmlOf(lines: string[], link: string): string {
  const paragraphs = lines
    .filter((line) => line !== '')
    .map((line) => (line === link ? `<p><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>` : `<p>${escapeHtml(line)}</p>`));
  return `<!doctype html><html><body>${paragraphs.join('')}</body></html>`;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
