import type { Tiers } from './cpu.js';

/** What the load runs against: a URL, the broker and database behind it, and its processes by tier. */
export interface Target {
  kind: 'harness' | 'cluster';
  url: string;
  amqpUrls: string[];
  queue: string;
  databaseUrl: string;
  tiers: Tiers;
  describe: string;
  /** The settings the Front Ends run with, for the argon2 cost the yardstick hashes at. */
  settings: Record<string, string | undefined>;
  /** "defaults" (only LOAD_SETTINGS changed), or what else was set. */
  variant: string;
  stop(): Promise<void>;
}

/**
 * The only settings the benchmark changes from what users get: every request of a load test
 * comes from one address, so the per-IP budget and the lockout (the login scenario reuses a few
 * accounts) would refuse it. Anything else set in the environment makes the run a variant.
 */
export const LOAD_SETTINGS: Record<string, string> = {
  RATE_LIMIT_PER_MINUTE: '100000',
  LOCKOUT_THRESHOLD: '1000',
};

/** Settings that change what is measured (ARGON2_*, HASH_*, …): each one set makes a named variant. */
const VARIANT_SETTING = /^(ARGON2_|HASH_|RPC_TIMEOUT_MS$|LOG_LEVEL$|PREFETCH$|DATABASE_POOL_SIZE$|EMAIL_VERIFICATION$)/;

/** The variant settings that `env` sets (the harness passes these on to its services). */
export function variantSettings(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => VARIANT_SETTING.test(e[0]) && !!e[1]));
}

/** The run's name in the report: "defaults", or the overrides that make it a variant. */
export function variantOf(overrides: Record<string, string>): string {
  const names = Object.entries(overrides).map(([k, v]) => `${k}=${v}`);
  return names.length === 0 ? 'defaults' : `variant: ${names.join(', ')}`;
}
