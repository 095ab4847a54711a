import { describe, expect, it } from 'vitest';
import { ConfigError } from '@gatehouse/runtime';
import { loadBackEndConfig } from '../src/config.js';

const valid = { AMQP_URL: 'amqp://u:p@127.0.0.1:5672', DATABASE_URL: 'postgres://u:p@127.0.0.1/gatehouse' };

describe('loadBackEndConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadBackEndConfig(valid)).toEqual({
      amqpUrls: ['amqp://u:p@127.0.0.1:5672'],
      databaseUrl: valid.DATABASE_URL,
      databaseReadUrl: valid.DATABASE_URL,
      requestQueue: 'request',
      mailQueue: 'mail',
      queueMode: 'quorum',
      prefetch: 64,
      databasePoolSize: 10,
      queryTimeoutMs: 5000,
      databaseMaxLifetimeSeconds: 300,
      logLevel: 'info',
      auditRetentionDays: 90,
      health: undefined,
      patroniUrls: [],
      etcdUrls: [],
      haproxyStatsUrl: undefined,
      policies: {
        sessions: { idleTimeoutMs: 30 * 60_000, absoluteTimeoutMs: 12 * 3_600_000, touchIntervalMs: 60_000 },
        lockout: { threshold: 5, baseDelayMs: 60_000, maxDelayMs: 15 * 60_000, resetAfterMs: 12 * 3_600_000 },
        resets: { ttlMinutes: 30, perAddressPerHour: 3 },
        verifications: { ttlHours: 24, perAddressPerHour: 3 },
      },
    });
  });

  it('reads PATRONI_URLS as a list of http(s) URLs, and refuses anything else', () => {
    expect(loadBackEndConfig({ ...valid, PATRONI_URLS: 'http://pg1:8008, https://pg2:8008' }).patroniUrls).toEqual(['http://pg1:8008', 'https://pg2:8008']);
    expect(() => loadBackEndConfig({ ...valid, PATRONI_URLS: 'pg1:8008' })).toThrow(/PATRONI_URLS: entries must be http/);
  });

  it('reads ETCD_URLS and HAPROXY_STATS_URL (credentials allowed) for /status, and refuses what is not http(s)', () => {
    const config = loadBackEndConfig({ ...valid, ETCD_URLS: 'http://etcd1:2379,http://etcd2:2379', HAPROXY_STATS_URL: 'http://admin:secret@haproxy:7000/' });
    expect([config.etcdUrls, config.haproxyStatsUrl]).toEqual([['http://etcd1:2379', 'http://etcd2:2379'], 'http://admin:secret@haproxy:7000/']);
    expect(() => loadBackEndConfig({ ...valid, ETCD_URLS: 'etcd1:2379' })).toThrow(/ETCD_URLS: entries must be http/);
    expect(() => loadBackEndConfig({ ...valid, HAPROXY_STATS_URL: 'ftp://haproxy' })).toThrow(/HAPROXY_STATS_URL: must be an http/);
  });

  it('splits a comma-separated broker list and reads the read-only URL', () => {
    const config = loadBackEndConfig({
      ...valid,
      AMQP_URL: 'amqp://u:p@h1:5672, amqp://u:p@h2:5672',
      DATABASE_READ_URL: 'postgres://u:p@replica/gatehouse',
      REQUEST_QUEUE_MODE: 'textbook',
    });
    expect(config.amqpUrls).toEqual(['amqp://u:p@h1:5672', 'amqp://u:p@h2:5672']);
    expect(config.databaseReadUrl).toBe('postgres://u:p@replica/gatehouse');
    expect(config.queueMode).toBe('textbook');
  });

  it('names every bad variable in one error', () => {
    const attempt = () => loadBackEndConfig({ DATABASE_URL: 'mysql://x', PREFETCH: '-1', REQUEST_QUEUE_MODE: 'fast' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/AMQP_URL: is required/);
    expect(attempt).toThrow(/DATABASE_URL: must be a postgres:\/\/ URL/);
    expect(attempt).toThrow(/PREFETCH/);
    expect(attempt).toThrow(/REQUEST_QUEUE_MODE/);
  });

  it.each([
    ['AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672', /AMQP_URL: uses a well-known default password/],
    ['AMQP_URL', 'amqp://127.0.0.1:5672', /AMQP_URL: has no password/],
    ['AMQP_URL', 'amqp://u:p@h1,amqp://app:ChangeMe@h2', /AMQP_URL: uses a well-known default password/],
    ['DATABASE_URL', 'postgres://postgres:postgres@db/gatehouse', /DATABASE_URL: uses a well-known default password/],
    ['DATABASE_URL', 'postgres://gatehouse@db/gatehouse', /DATABASE_URL: has no password/],
    ['DATABASE_READ_URL', 'postgres://gatehouse:@db-r/gatehouse', /DATABASE_READ_URL: has no password/],
  ])('refuses default or missing credentials in %s without echoing them', (name, url, message) => {
    const attempt = () => loadBackEndConfig({ ...valid, [name]: url });
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (err) {
      expect((err as Error).message).not.toMatch(/guest:guest|postgres:postgres|ChangeMe/);
    }
  });

  it('reads the session and lockout policies', () => {
    const config = loadBackEndConfig({ ...valid, SESSION_IDLE_MINUTES: '5', LOCKOUT_THRESHOLD: '3', LOCKOUT_MAX_MINUTES: '60' });
    expect(config.policies.sessions.idleTimeoutMs).toBe(300_000);
    expect(config.policies.lockout).toMatchObject({ threshold: 3, maxDelayMs: 3_600_000 });
    expect(() => loadBackEndConfig({ ...valid, LOCKOUT_THRESHOLD: '0' })).toThrow(/LOCKOUT_THRESHOLD: must be at least 1/);
  });

  it('serves health checks only when HEALTH_PORT is set, on loopback unless HEALTH_HOST says otherwise', () => {
    expect(loadBackEndConfig(valid).health).toBeUndefined();
    expect(loadBackEndConfig({ ...valid, HEALTH_HOST: '0.0.0.0' }).health).toBeUndefined();
    expect(loadBackEndConfig({ ...valid, HEALTH_PORT: '8081' }).health).toEqual({ port: 8081, host: '127.0.0.1' });
    expect(loadBackEndConfig({ ...valid, HEALTH_PORT: '8081', HEALTH_HOST: '0.0.0.0' }).health).toEqual({ port: 8081, host: '0.0.0.0' });
  });

  it.each([
    ['eighty', 'HEALTH_PORT: must be a whole number between 1 and 65535'],
    ['0', 'HEALTH_PORT: must be at least 1'],
    ['65536', 'HEALTH_PORT: must be at most 65535'],
  ])('refuses HEALTH_PORT=%s', (value, message) => {
    const attempt = () => loadBackEndConfig({ ...valid, HEALTH_PORT: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });

  it('rejects an AMQP URL of the wrong scheme', () => {
    expect(() => loadBackEndConfig({ ...valid, AMQP_URL: 'http://h' })).toThrow(/AMQP_URL: entries must be amqp/);
  });
});
