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
      queueMode: 'quorum',
      prefetch: 16,
      databasePoolSize: 10,
      queryTimeoutMs: 5000,
      logLevel: 'info',
    });
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

  it('rejects an AMQP URL of the wrong scheme', () => {
    expect(() => loadBackEndConfig({ ...valid, AMQP_URL: 'http://h' })).toThrow(/AMQP_URL: entries must be amqp/);
  });
});
