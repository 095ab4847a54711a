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
  stop(): Promise<void>;
}

/**
 * Front End and Back End settings for load from one address: the rate limit at its maximum,
 * lockout out of the way, and a hash queue long enough that no request is shed with a 503.
 */
export const LOAD_SETTINGS: Record<string, string> = {
  RATE_LIMIT_PER_MINUTE: '100000',
  LOCKOUT_THRESHOLD: '1000',
  HASH_QUEUE_MAX: '10000',
  SHUTDOWN_DRAIN_MS: '0',
};
