import { z } from 'zod';
import { ConfigError, parseEnv } from '@gatehouse/runtime';
import { BACK_END_VARIABLES, loadEmbeddedBackEndConfig, type EmbeddedBackEndConfig } from '@gatehouse/back-end/config';
import { FRONT_END_VARIABLES, loadEmbeddedFrontEndConfig, type EmbeddedFrontEndConfig } from '@gatehouse/front-end/config';
import { MAILER_VARIABLES, loadEmbeddedMailerConfig, type EmbeddedMailerConfig } from '@gatehouse/mailer/config';

const ownSchema = z.object({
  DATA_DIR: z.string().min(1).default('data'),
});

/** Every variable `npm start` reads: the two tiers' own, and DATA_DIR. */
export const ALL_IN_ONE_VARIABLES = [...new Set([...FRONT_END_VARIABLES, ...BACK_END_VARIABLES, ...MAILER_VARIABLES, ...Object.keys(ownSchema.shape)])];

/** Settings that only mean something once the tiers talk over a broker, or to a database server. */
const NEEDS = {
  AMQP_URL: ['REQUEST_QUEUE', 'REQUEST_QUEUE_MODE', 'MAIL_QUEUE', 'PREFETCH', 'HEALTH_PORT', 'HEALTH_HOST', 'RABBITMQ_MANAGEMENT_URL', 'RABBITMQ_MONITOR_USER', 'RABBITMQ_MONITOR_PASSWORD'],
  DATABASE_URL: ['DATABASE_READ_URL', 'DATABASE_POOL_SIZE', 'DATABASE_MAX_LIFETIME_SECONDS', 'PATRONI_URLS', 'ETCD_URLS', 'HAPROXY_STATS_URL'],
} as const;

export interface AllInOneConfig {
  dataDir: string;
  frontEnd: EmbeddedFrontEndConfig;
  backEnd: EmbeddedBackEndConfig;
  mailer: EmbeddedMailerConfig;
}

/** Settings given that the mode `source` selects would silently ignore: refused instead. */
function unusedSettings(source: Record<string, string | undefined>): string[] {
  const given = (name: string) => (source[name] ?? '').trim() !== '';
  return Object.entries(NEEDS).flatMap(([needed, names]) =>
    given(needed) ? [] : names.filter(given).map((name) => `${name}: applies only with ${needed} (npm start without it ${needed === 'AMQP_URL' ? 'passes messages in-process' : 'embeds PostgreSQL'})`),
  );
}

/**
 * `npm start`'s settings: exactly the Front End's and the Back End's, read by their own config
 * modules (with AMQP_URL, SESSION_SECRET and DATABASE_URL optional), plus DATA_DIR. Every
 * problem in all three is reported at once.
 */
export function loadAllInOneConfig(source: Record<string, string | undefined> = process.env): AllInOneConfig {
  const problems: string[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
      return undefined;
    }
  };
  const own = attempt(() => parseEnv(ownSchema, source, 'Gatehouse'));
  const frontEnd = attempt(() => loadEmbeddedFrontEndConfig(source));
  const backEnd = attempt(() => loadEmbeddedBackEndConfig(source));
  const mailer = attempt(() => loadEmbeddedMailerConfig(source));
  problems.push(...unusedSettings(source));
  if (!own || !frontEnd || !backEnd || !mailer || problems.length > 0) throw new ConfigError('Gatehouse', [...new Set(problems)]);
  return { dataDir: own.DATA_DIR, frontEnd, backEnd, mailer };
}
