import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@gatehouse/runtime';
import { ALL_IN_ONE_VARIABLES, loadAllInOneConfig } from '../src/config.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** The variables the README's configuration table lists (first column, in backticks). */
function readmeVariables(): string[] {
  const table = README.slice(README.indexOf('## Configuration'), README.indexOf('\n## ', README.indexOf('## Configuration') + 5));
  return table
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1]!.matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]!));
}

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadAllInOneConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

// Free-form strings: any value is a valid one.
const FREE_FORM = new Set(['HOST', 'HEALTH_HOST', 'NODE_ENV', 'DATA_DIR', 'RABBITMQ_MONITOR_USER', 'RABBITMQ_MONITOR_PASSWORD', 'SITE_NAME']);
// Only read when the broker or a database server is named (see the next test).
const WITH_BROKER = { AMQP_URL: 'amqp://u:s3cret-pw@127.0.0.1:5672', DATABASE_URL: 'postgres://u:s3cret-pw@127.0.0.1:5432/db' };

describe("npm start's configuration", () => {
  it('needs nothing: in-process messaging and embedded PostgreSQL under data/', () => {
    const config = loadAllInOneConfig({});
    expect(config.dataDir).toBe('data');
    expect(config.frontEnd.amqpUrls).toEqual([]);
    expect(config.backEnd.databaseUrl).toBeUndefined();
    expect(config.frontEnd.sessionSecret).toBeUndefined();
  });

  it('reads every variable in the README table', () => {
    const listed = readmeVariables();
    expect(listed.length).toBeGreaterThan(30);
    expect(listed.filter((name) => !ALL_IN_ONE_VARIABLES.includes(name))).toEqual([]);
  });

  it.each(ALL_IN_ONE_VARIABLES.filter((name) => !FREE_FORM.has(name)))('refuses a nonsense %s by name', (name) => {
    expect(problemsOf({ ...WITH_BROKER, [name]: 'nonsense%%' }).some((p) => p.startsWith(`${name}:`))).toBe(true);
  });

  it('honours the tiers settings: rate limit, argon2 cost, lockout, timeouts, session store', () => {
    const config = loadAllInOneConfig({ RATE_LIMIT_PER_MINUTE: '2', ARGON2_TIME_COST: '3', LOCKOUT_THRESHOLD: '7', RPC_TIMEOUT_MS: '900', QUERY_TIMEOUT_MS: '800', SESSION_STORE: 'cookie' });
    expect(config.frontEnd.sessionStore).toBe('cookie');
    expect(config.frontEnd.rateLimitPerMinute).toBe(2);
    expect(config.frontEnd.argon2.timeCost).toBe(3);
    expect(config.frontEnd.rpcTimeoutMs).toBe(900);
    expect(config.backEnd.policies.lockout.threshold).toBe(7);
    expect(config.backEnd.queryTimeoutMs).toBe(800);
  });

  it('names every bad variable of both tiers at once', () => {
    expect(problemsOf({ ARGON2_TIME_COST: 'zero', LOG_LEVEL: 'loud', LOCKOUT_THRESHOLD: '-1', DATA_DIR: '' }).map((p) => p.split(':')[0]).sort()).toEqual(
      ['ARGON2_TIME_COST', 'LOCKOUT_THRESHOLD', 'LOG_LEVEL'],
    );
  });

  it("the README's npm start column says which settings need a server, as the loader enforces", () => {
    const rows = README.split('\n').filter((line) => /^\| `[A-Z]/.test(line)).map((line) => line.split('|').map((c) => c.trim()));
    const needing = rows.filter((cells) => /^with `[A-Z_]+`$/.test(cells[3] ?? ''));
    expect(needing.length).toBeGreaterThan(3);
    for (const cells of needing) {
      const name = /`([A-Z0-9_]+)`/.exec(cells[1]!)![1]!;
      const value = /(_URLS|_STATS_URL)$/.test(name) ? 'http://127.0.0.1:1' : name.endsWith('_URL') ? WITH_BROKER.DATABASE_URL : name === 'REQUEST_QUEUE_MODE' ? 'quorum' : name === 'REQUEST_QUEUE' ? 'request' : '60';
      expect(problemsOf({ [name]: value }), name).toEqual([expect.stringMatching(new RegExp(`^${name}: applies only with ${/`([A-Z_]+)`/.exec(cells[3]!)![1]}`))]);
    }
  });

  it('refuses settings the chosen mode would ignore, instead of ignoring them', () => {
    expect(problemsOf({ PREFETCH: '4', HEALTH_PORT: '9000', DATABASE_POOL_SIZE: '5' })).toEqual([
      'PREFETCH: applies only with AMQP_URL (npm start without it passes messages in-process)',
      'HEALTH_PORT: applies only with AMQP_URL (npm start without it passes messages in-process)',
      'DATABASE_POOL_SIZE: applies only with DATABASE_URL (npm start without it embeds PostgreSQL)',
    ]);
    expect(problemsOf({ ...WITH_BROKER, PREFETCH: '4', HEALTH_PORT: '9000', DATABASE_POOL_SIZE: '5' })).toEqual([]);
  });
});
