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

/** What differs between templates: the subject, the lines (the link among them) and that link. */
interface MailContent {
  subject: string;
  lines: string[];
  link: string;
}

type Template = (mail: OutboxMail, site: SiteSettings) => MailContent;

/** Each outbox template by name (the Back End's `outbox.template`). */
const TEMPLATES: Record<string, Template> = {
  password_reset: (mail, site) => {
    const link = linkTo(site, '/reset-password', mail);
    const minutes = minutesLeft(stringField(mail.data, 'expiresAt'));
    return {
      subject: `Reset your ${site.name} password`,
      link,
      lines: [
        `Someone (we hope you) asked to reset the password of the ${site.name} account for ${mail.recipient}.`,
        '',
        `To choose a new password, open this link within ${minutes} minutes. It works once:`,
        link,
        '',
        'If you did not ask for this, ignore this mail: your password stays as it is.',
      ],
    };
  },
  email_verification: (mail, site) => {
    const link = linkTo(site, '/verify-email', mail);
    return {
      subject: `Confirm your email address for ${site.name}`,
      link,
      lines: [
        `Someone (we hope you) registered a ${site.name} account for ${mail.recipient}.`,
        '',
        `To confirm that this address is yours, open this link within ${hoursLeft(mail)}. It works once:`,
        link,
        '',
        'If you did not register, ignore this mail: the account stays unconfirmed.',
      ],
    };
  },
  email_change: (mail, site) => {
    const link = linkTo(site, '/confirm-email-change', mail);
    return {
      subject: `Confirm your new email address for ${site.name}`,
      link,
      lines: [
        `Someone (we hope you) asked to move a ${site.name} account to this address, ${mail.recipient}.`,
        '',
        `To confirm the change, open this link within ${hoursLeft(mail)}. It works once:`,
        link,
        '',
        'If you did not ask for this, ignore this mail: nothing changes.',
      ],
    };
  },
  // No link that opens anything: the owner of the old address is told, and where to turn.
  email_changed: (mail, site) => {
    const link = `${site.publicUrl}/login`;
    return {
      subject: `The email address of your ${site.name} account was changed`,
      link,
      lines: [
        `The ${site.name} account that used ${mail.recipient} now uses ${stringField(mail.data, 'newEmail')}. Mail about it no longer comes here.`,
        '',
        'If you made this change, there is nothing to do. If you did not, someone knows your password: contact the site at once.',
        link,
      ],
    };
  },
};

/**
 * Renders an outbox mail. Each says which site and which address it is for, and carries
 * one link and nothing else that lets anyone in.
 */
export function composeMail(mail: OutboxMail, site: SiteSettings): ComposedMail {
  const template = Object.hasOwn(TEMPLATES, mail.template) ? TEMPLATES[mail.template] : undefined;
  if (!template) throw new UnknownTemplateError(`No template named ${mail.template}`);
  const { subject, lines, link } = template(mail, site);
  return {
    id: mail.id,
    from: site.from,
    to: mail.recipient,
    subject,
    text: `${lines.join('\n')}\n`,
    html: htmlOf(lines, link),
    messageId: `<${mail.id}@${new URL(site.publicUrl).hostname}>`,
    link,
  };
}

/** The page `path` with the mail's token: the one link that opens something. */
function linkTo(site: SiteSettings, path: string, mail: OutboxMail): string {
  return `${site.publicUrl}${path}?token=${encodeURIComponent(stringField(mail.data, 'token'))}`;
}

/** "24 hours", "1 hour": whole hours left, at least 1. */
function hoursLeft(mail: OutboxMail): string {
  const hours = Math.max(1, Math.round(minutesLeft(stringField(mail.data, 'expiresAt')) / 60));
  return hours === 1 ? '1 hour' : `${hours} hours`;
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
