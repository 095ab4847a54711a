import { describe, expect, it } from 'vitest';
import { ConfigError } from '@gatehouse/runtime';
import { loadFrontEndConfig } from '../src/config.js';

const valid = { AMQP_URL: 'amqp://guest:guest@rabbit:5672', SESSION_SECRET: 's'.repeat(32) };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadFrontEndConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected loadFrontEndConfig to throw');
}

describe('loadFrontEndConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadFrontEndConfig(valid)).toEqual({
      port: 3000,
      host: '127.0.0.1',
      amqpUrls: ['amqp://guest:guest@rabbit:5672'],
      requestQueue: 'request',
      queueMode: 'quorum',
      rpcTimeoutMs: 5000,
      sessionSecret: 's'.repeat(32),
      trustProxy: false,
      logLevel: 'info',
    });
  });

  it('reads every variable', () => {
    const config = loadFrontEndConfig({
      ...valid,
      PORT: '8080',
      HOST: '0.0.0.0',
      AMQP_URL: 'amqp://a:5672, amqps://b:5671 ,amqp://c',
      REQUEST_QUEUE: 'requests',
      REQUEST_QUEUE_MODE: 'textbook',
      RPC_TIMEOUT_MS: '1500',
      TRUST_PROXY: 'true',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      amqpUrls: ['amqp://a:5672', 'amqps://b:5671', 'amqp://c'],
      requestQueue: 'requests',
      queueMode: 'textbook',
      rpcTimeoutMs: 1500,
      trustProxy: true,
      logLevel: 'debug',
    });
  });

  it('treats empty variables as unset', () => {
    expect(loadFrontEndConfig({ ...valid, PORT: '', TRUST_PROXY: '' })).toMatchObject({ port: 3000, trustProxy: false });
  });

  it('names a missing AMQP_URL', () => {
    expect(problemsOf({ SESSION_SECRET: valid.SESSION_SECRET })).toEqual([
      'AMQP_URL: is required (one amqp:// URL or a comma-separated list)',
    ]);
  });

  it('refuses a SESSION_SECRET shorter than 32 characters', () => {
    expect(problemsOf({ ...valid, SESSION_SECRET: 'too-short' })).toEqual(['SESSION_SECRET: must be at least 32 characters']);
  });

  it('refuses a PORT that is not a port number', () => {
    expect(problemsOf({ ...valid, PORT: 'eighty' })).toEqual(['PORT: must be a whole number between 1 and 65535']);
    expect(problemsOf({ ...valid, PORT: '70000' })).toEqual(['PORT: must be at most 65535']);
  });

  it('lists every bad variable in one error, without echoing values', () => {
    let message = '';
    try {
      loadFrontEndConfig({
        AMQP_URL: 'http://user:hunter2@rabbit',
        SESSION_SECRET: 'hunter2',
        PORT: '-1',
        REQUEST_QUEUE_MODE: 'classic',
        TRUST_PROXY: 'maybe',
        LOG_LEVEL: 'loud',
      });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const name of ['AMQP_URL', 'SESSION_SECRET', 'PORT', 'REQUEST_QUEUE_MODE', 'TRUST_PROXY', 'LOG_LEVEL']) {
      expect(message).toContain(name);
    }
    expect(message).not.toContain('hunter2');
  });
});
