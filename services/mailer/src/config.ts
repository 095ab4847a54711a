import { z } from 'zod';
import { env, parseEnv, type LogLevel, type QueueMode } from '@gatehouse/runtime';

/** smtp:// (STARTTLS when the server offers it) or smtps:// (TLS from the start), as nodemailer reads them. */
const smtpUrl = () =>
  z
    .string({ error: 'is required (e.g. smtp://user:password@mail.example.com:587)' })
    .pipe(z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }));

const publicUrl = () =>
  z
    .string({ error: 'is required: the address users open Gatehouse at, for the links in mails (e.g. https://login.example.com)' })
    .pipe(z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }))
    .transform((url) => url.replace(/\/+$/, ''));

const fields = {
  AMQP_URL: env.amqpUrls(),
  REQUEST_QUEUE: env.queueName(),
  REQUEST_QUEUE_MODE: env.queueMode(),
  MAIL_QUEUE: env.queueName('mail'),
  SMTP_URL: smtpUrl(),
  PUBLIC_URL: publicUrl(),
  MAIL_FROM: z
    .string()
    .trim()
    .regex(/^([^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/, 'must be an address, or a name and <address>, e.g. "Gatehouse <no-reply@example.com>"')
    .optional(),
  SITE_NAME: z.string().trim().min(1).max(100).default('Gatehouse'),
  // Mails sent at once; each holds its message while it retries.
  MAIL_CONCURRENCY: env.integer(1, 64, 4),
  RPC_TIMEOUT_MS: env.integer(500, 60_000, 5000),
  // How long a claim on a mail lasts: another Mailer may send it only after that (if this one died).
  MAIL_LEASE_SECONDS: env.integer(5, 600, 60),
  LOG_LEVEL: env.logLevel(),
  // /healthz, /readyz and /metrics; off unless set, as on the Back End (several Mailers on one host).
  HEALTH_PORT: env.optionalPort(),
  HEALTH_HOST: z.string().default('127.0.0.1'),
};
const schema = z.object(fields);
// npm start: no broker (in-process), no SMTP server (mail written to files), the Front End's own URL.
const embeddedSchema = z.object({ ...fields, AMQP_URL: fields.AMQP_URL.optional(), SMTP_URL: fields.SMTP_URL.optional(), PUBLIC_URL: fields.PUBLIC_URL.optional() });

/** Every variable the Mailer reads. */
export const MAILER_VARIABLES = Object.keys(fields);

/** What a mail says about where it comes from. */
export interface SiteSettings {
  name: string;
  publicUrl: string;
  from: string;
}

export interface MailerConfig {
  amqpUrls: string[];
  requestQueue: string;
  queueMode: QueueMode;
  mailQueue: string;
  smtpUrl: string;
  site: SiteSettings;
  concurrency: number;
  rpcTimeoutMs: number;
  leaseMs: number;
  logLevel: LogLevel;
  /** Where /healthz, /readyz and /metrics answer, if anywhere. */
  health?: { host: string; port: number };
}

/** The Mailer's configuration from the environment. Throws ConfigError listing every problem. */
export function loadMailerConfig(source: Record<string, string | undefined> = process.env): MailerConfig {
  const e = parseEnv(schema, source, 'Mailer');
  const health = e.HEALTH_PORT === undefined ? undefined : { host: e.HEALTH_HOST, port: e.HEALTH_PORT };
  return { ...common(e), amqpUrls: e.AMQP_URL, smtpUrl: e.SMTP_URL, site: siteOf(e, e.PUBLIC_URL), health };
}

/** `npm start`'s Mailer settings: SMTP_URL unset writes mail to files; PUBLIC_URL defaults to the Front End's. */
export interface EmbeddedMailerConfig {
  smtpUrl?: string;
  site: (frontEndUrl: string) => SiteSettings;
  concurrency: number;
  leaseMs: number;
}

export function loadEmbeddedMailerConfig(source: Record<string, string | undefined> = process.env): EmbeddedMailerConfig {
  const e = parseEnv(embeddedSchema, source, 'Mailer');
  return { smtpUrl: e.SMTP_URL, concurrency: e.MAIL_CONCURRENCY, leaseMs: e.MAIL_LEASE_SECONDS * 1000, site: (frontEndUrl) => siteOf(e, e.PUBLIC_URL ?? frontEndUrl) };
}

function common(e: z.infer<typeof embeddedSchema>) {
  return { requestQueue: e.REQUEST_QUEUE, queueMode: e.REQUEST_QUEUE_MODE, mailQueue: e.MAIL_QUEUE, concurrency: e.MAIL_CONCURRENCY, rpcTimeoutMs: e.RPC_TIMEOUT_MS, leaseMs: e.MAIL_LEASE_SECONDS * 1000, logLevel: e.LOG_LEVEL };
}

/** Without MAIL_FROM, mail comes from no-reply at the site's own host name. */
function siteOf(e: z.infer<typeof embeddedSchema>, url: string): SiteSettings {
  return { name: e.SITE_NAME, publicUrl: url, from: e.MAIL_FROM ?? `"${e.SITE_NAME.replace(/["\\]/g, '')}" <no-reply@${new URL(url).hostname}>` };
}
