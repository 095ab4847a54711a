import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@gatehouse/runtime';
import { defaultHashConcurrency } from '../bin/cpu-quota.cjs';
import { FRONT_END_DEFAULTS, FRONT_END_VARIABLES, loadFrontEndConfig } from '../src/config.js';

const valid = { AMQP_URL: 'amqp://gatehouse:s3cret-broker-pass@rabbit:5672', SESSION_SECRET: 's'.repeat(32) };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadFrontEndConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected loadFrontEndConfig to throw');
}

function messageOf(env: Record<string, string>): string {
  try {
    loadFrontEndConfig(env);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected loadFrontEndConfig to throw');
}

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-fe-config-'));
const certFile = join(dir, 'cert.pem');
const keyFile = join(dir, 'key.pem');
writeFileSync(certFile, 'CERT');
writeFileSync(keyFile, 'KEY');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadFrontEndConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadFrontEndConfig(valid)).toEqual({
      port: 3000,
      host: '127.0.0.1',
      amqpUrls: ['amqp://gatehouse:s3cret-broker-pass@rabbit:5672'],
      requestQueue: 'request',
      queueMode: 'quorum',
      rpcTimeoutMs: 5000,
      sessionSecret: 's'.repeat(32),
      trustProxy: false,
      logLevel: 'info',
      argon2: { memoryKib: 19456, timeCost: 2, parallelism: 1 },
      hashing: { concurrency: defaultHashConcurrency(), maxQueue: 1024, waitBudgetMs: 3500, maxWaitMs: 4500, caps: { memoryKib: 77824, timeCost: 8, parallelism: 4 } },
      sessionAbsoluteHours: 12,
      sessionStore: 'back-end',
      emailVerification: 'optional',
      sessionIdleMinutes: 30,
      rateLimitPerMinute: 20,
      tls: undefined,
      secureCookies: false,
      shutdownDrainMs: 5000,
    });
  });

  it('reads SESSION_STORE and, for the cookie store, the idle timeout', () => {
    const config = loadFrontEndConfig({ ...valid, SESSION_STORE: 'cookie', SESSION_IDLE_MINUTES: '5' });
    expect(config).toMatchObject({ sessionStore: 'cookie', sessionIdleMinutes: 5 });
    expect(FRONT_END_VARIABLES).toEqual(expect.arrayContaining(['SESSION_STORE', 'SESSION_IDLE_MINUTES']));
  });

  it('refuses a SESSION_STORE other than back-end or cookie, naming both', () => {
    for (const bad of ['memory', 'Cookie', 'backend']) {
      expect(() => loadFrontEndConfig({ ...valid, SESSION_STORE: bad })).toThrow(/SESSION_STORE: must be "back-end" or "cookie"/);
    }
  });

  it('reads EMAIL_VERIFICATION (default optional), refuses other values, and refuses required with the cookie store', () => {
    expect(loadFrontEndConfig(valid).emailVerification).toBe('optional');
    expect(loadFrontEndConfig({ ...valid, EMAIL_VERIFICATION: 'required' }).emailVerification).toBe('required');
    expect(loadFrontEndConfig({ ...valid, EMAIL_VERIFICATION: 'off', SESSION_STORE: 'cookie' }).emailVerification).toBe('off');
    for (const bad of ['on', 'Required', 'true']) {
      expect(() => loadFrontEndConfig({ ...valid, EMAIL_VERIFICATION: bad })).toThrow(/EMAIL_VERIFICATION: must be "off", "optional" or "required"/);
    }
    expect(() => loadFrontEndConfig({ ...valid, EMAIL_VERIFICATION: 'required', SESSION_STORE: 'cookie' })).toThrow(/EMAIL_VERIFICATION: cannot be "required" with SESSION_STORE=cookie/);
    expect(FRONT_END_VARIABLES).toContain('EMAIL_VERIFICATION');
  });

  it('exports the same defaults for configs built in code', () => {
    expect(loadFrontEndConfig(valid)).toMatchObject(FRONT_END_DEFAULTS);
  });

  it('reads every variable', () => {
    const config = loadFrontEndConfig({
      ...valid,
      PORT: '8080',
      HOST: '0.0.0.0',
      AMQP_URL: 'amqp://u:p4ss-a@a:5672, amqps://u:p4ss-b@b:5671 ,amqp://u:p4ss-c@c',
      REQUEST_QUEUE: 'requests',
      REQUEST_QUEUE_MODE: 'textbook',
      RPC_TIMEOUT_MS: '1500',
      TRUST_PROXY: '2',
      LOG_LEVEL: 'debug',
      ARGON2_MEMORY_KIB: '65536',
      ARGON2_TIME_COST: '3',
      ARGON2_PARALLELISM: '4',
      SESSION_ABSOLUTE_HOURS: '8',
      RATE_LIMIT_PER_MINUTE: '50',
      COOKIE_SECURE: 'true',
      TLS_CERT_FILE: certFile,
      TLS_KEY_FILE: keyFile,
      SHUTDOWN_DRAIN_MS: '0',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      amqpUrls: ['amqp://u:p4ss-a@a:5672', 'amqps://u:p4ss-b@b:5671', 'amqp://u:p4ss-c@c'],
      requestQueue: 'requests',
      queueMode: 'textbook',
      rpcTimeoutMs: 1500,
      trustProxy: 2,
      logLevel: 'debug',
      argon2: { memoryKib: 65536, timeCost: 3, parallelism: 4 },
      sessionAbsoluteHours: 8,
      rateLimitPerMinute: 50,
      secureCookies: true,
      shutdownDrainMs: 0,
    });
    expect(config.tls?.cert.toString()).toBe('CERT');
    expect(config.tls?.key.toString()).toBe('KEY');
  });

  it('treats empty variables as unset', () => {
    expect(loadFrontEndConfig({ ...valid, PORT: '', TRUST_PROXY: '', TLS_CERT_FILE: '' })).toMatchObject({ port: 3000, trustProxy: false, tls: undefined });
  });

  it('takes TRUST_PROXY as a hop count or a list of proxy addresses and CIDRs', () => {
    const trustProxy = (value: string) => loadFrontEndConfig({ ...valid, TRUST_PROXY: value }).trustProxy;
    expect(trustProxy('1')).toBe(1);
    expect(trustProxy('0')).toBe(false);
    expect(trustProxy('10.0.0.1, 192.168.0.0/16,::1,fd00::/8, loopback')).toEqual(['10.0.0.1', '192.168.0.0/16', '::1', 'fd00::/8', 'loopback']);
  });

  it.each(['true', 'TRUE', 'yes', 'on', 'false'])('refuses TRUST_PROXY=%s, which would trust every hop, saying what to use', (value) => {
    expect(problemsOf({ ...valid, TRUST_PROXY: value })).toEqual([
      'TRUST_PROXY: must be a hop count (0-16, e.g. 1 for one proxy in front) or a comma-separated list of proxy addresses or CIDRs, not true or false: "true" would let any client forge its IP',
    ]);
  });

  it.each(['10.0.0.0/33', 'proxy.example.com', '17', '10.0.0.1,'.repeat(2) + 'nope'])('refuses TRUST_PROXY=%s', (value) => {
    expect(problemsOf({ ...valid, TRUST_PROXY: value })[0]).toMatch(/^TRUST_PROXY: must be a hop count/);
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

  it('refuses a SHUTDOWN_DRAIN_MS that is not a whole number of milliseconds up to five minutes', () => {
    expect(problemsOf({ ...valid, SHUTDOWN_DRAIN_MS: '5s' })).toEqual(['SHUTDOWN_DRAIN_MS: must be a whole number between 0 and 300000']);
    expect(problemsOf({ ...valid, SHUTDOWN_DRAIN_MS: '-1' })).toEqual(['SHUTDOWN_DRAIN_MS: must be a whole number between 0 and 300000']);
    expect(problemsOf({ ...valid, SHUTDOWN_DRAIN_MS: '300001' })).toEqual(['SHUTDOWN_DRAIN_MS: must be at most 300000']);
  });

  it('refuses argon2 parameters below the floor or above the cap', () => {
    expect(problemsOf({ ...valid, ARGON2_MEMORY_KIB: '1024' })).toEqual(['ARGON2_MEMORY_KIB: must be at least 7168']);
    expect(problemsOf({ ...valid, ARGON2_TIME_COST: '0' })).toEqual(['ARGON2_TIME_COST: must be at least 1']);
    expect(problemsOf({ ...valid, ARGON2_PARALLELISM: '64' })).toEqual(['ARGON2_PARALLELISM: must be at most 16']);
  });

  it('lists every bad variable in one error, without echoing values', () => {
    const message = messageOf({
      AMQP_URL: 'http://user:hunter2@rabbit',
      SESSION_SECRET: 'hunter2',
      PORT: '-1',
      REQUEST_QUEUE_MODE: 'classic',
      TRUST_PROXY: 'maybe',
      LOG_LEVEL: 'loud',
      RATE_LIMIT_PER_MINUTE: 'lots',
      TLS_CERT_FILE: certFile,
    });
    for (const name of ['AMQP_URL', 'SESSION_SECRET', 'PORT', 'REQUEST_QUEUE_MODE', 'TRUST_PROXY', 'LOG_LEVEL', 'RATE_LIMIT_PER_MINUTE', 'TLS_KEY_FILE']) {
      expect(message).toContain(name);
    }
    expect(message).not.toContain('hunter2');
  });
});

describe('no default broker credentials', () => {
  it.each([
    ['the guest account', 'amqp://guest:guest@rabbit:5672', 'guest'],
    ['a default password in capitals', 'amqp://gatehouse:CHANGE_ME@rabbit:5672', 'CHANGE_ME'],
    ['"changeme"', 'amqp://gatehouse:ChangeMe@rabbit', 'ChangeMe'],
    ['"postgres"', 'amqps://gatehouse:postgres@rabbit', 'postgres'],
    ['"123456"', 'amqp://gatehouse:123456@rabbit', '123456'],
    ['a percent-encoded default', 'amqp://gatehouse:%70assword@rabbit', '%70assword'],
    ['a default on the second of two nodes', 'amqp://gatehouse:good-secret-1@a,amqp://gatehouse:secret@b', 'secret@b'],
  ])('refuses %s without echoing it', (_name, url, password) => {
    const problems = problemsOf({ ...valid, AMQP_URL: url });
    // toContain: @gatehouse/runtime may report the same problem in its own words.
    expect(problems).toContain('AMQP_URL: uses a well-known default password; set a real secret');
    expect(messageOf({ ...valid, AMQP_URL: url })).not.toContain(password);
  });

  it.each([
    ['no user info', 'amqp://rabbit:5672'],
    ['a user without a password', 'amqp://gatehouse@rabbit:5672'],
    ['an empty password', 'amqp://gatehouse:@rabbit:5672'],
  ])('refuses %s', (_name, url) => {
    expect(problemsOf({ ...valid, AMQP_URL: url })).toContain('AMQP_URL: has no password (set one; default and empty credentials are refused)');
  });

  it('accepts a real password', () => {
    expect(loadFrontEndConfig({ ...valid, AMQP_URL: 'amqp://guest-house:Xk9%40q2-long@rabbit' }).amqpUrls).toHaveLength(1);
  });
});

describe('TLS and cookies', () => {
  it('refuses TLS_CERT_FILE without TLS_KEY_FILE, and the reverse', () => {
    expect(problemsOf({ ...valid, TLS_CERT_FILE: certFile })).toEqual(['TLS_KEY_FILE: is required when TLS_CERT_FILE is set (set both or neither)']);
    expect(problemsOf({ ...valid, TLS_KEY_FILE: keyFile })).toEqual(['TLS_CERT_FILE: is required when TLS_KEY_FILE is set (set both or neither)']);
  });

  it('names an unreadable certificate or key', () => {
    expect(problemsOf({ ...valid, TLS_CERT_FILE: join(dir, 'missing.pem'), TLS_KEY_FILE: dir })).toEqual([
      'TLS_CERT_FILE: cannot be read (ENOENT)',
      'TLS_KEY_FILE: cannot be read (EISDIR)',
    ]);
  });

  it('makes cookies Secure whenever TLS is on, and on request behind a TLS proxy', () => {
    expect(loadFrontEndConfig({ ...valid, TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile, COOKIE_SECURE: 'false' }).secureCookies).toBe(true);
    expect(loadFrontEndConfig({ ...valid, COOKIE_SECURE: 'true' }).secureCookies).toBe(true);
    expect(loadFrontEndConfig(valid).secureCookies).toBe(false);
  });

  it('makes cookies Secure by default when NODE_ENV=production, unless COOKIE_SECURE=false says otherwise', () => {
    expect(loadFrontEndConfig({ ...valid, NODE_ENV: 'production' }).secureCookies).toBe(true);
    expect(loadFrontEndConfig({ ...valid, NODE_ENV: 'production', COOKIE_SECURE: 'false' }).secureCookies).toBe(false);
    expect(loadFrontEndConfig({ ...valid, NODE_ENV: 'development' }).secureCookies).toBe(false);
    expect(loadFrontEndConfig({ ...valid, NODE_ENV: 'production', TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile, COOKIE_SECURE: 'false' }).secureCookies).toBe(true);
  });
});
