import { describe, expect, it } from 'vitest';
import { ConfigError } from '@gatehouse/runtime';
import { ADMIN_COOKIE_MAX_AGE_S, adminCookieValid, adminCookieValue, bearerToken, tokenMatches } from '../src/admin-auth.js';
import { loadFrontEndConfig } from '../src/config.js';

const TOKEN = 'a-token-of-at-least-24-characters';
const base = { AMQP_URL: 'amqp://fe:s3cret-pw@127.0.0.1:5672', SESSION_SECRET: 'x'.repeat(32) };

describe('ADMIN_TOKEN', () => {
  it('is optional, and read when set', () => {
    expect(loadFrontEndConfig(base).adminToken).toBeUndefined();
    expect(loadFrontEndConfig({ ...base, ADMIN_TOKEN: TOKEN }).adminToken).toBe(TOKEN);
  });

  it('is refused shorter than 24 characters, with a message naming the variable', () => {
    let problems: string[] = [];
    try {
      loadFrontEndConfig({ ...base, ADMIN_TOKEN: 'short' });
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems).toEqual([expect.stringMatching(/^ADMIN_TOKEN: must be at least 24 characters/)]);
  });
});

describe('the management API settings (RABBITMQ_MANAGEMENT_URL, RABBITMQ_MONITOR_USER, RABBITMQ_MONITOR_PASSWORD)', () => {
  const trio = { RABBITMQ_MANAGEMENT_URL: 'http://mq1:15672,http://mq2:15672', RABBITMQ_MONITOR_USER: 'gatehouse-monitor', RABBITMQ_MONITOR_PASSWORD: 'pw-of-the-monitor' };

  it('are read together, with one URL per node', () => {
    expect(loadFrontEndConfig({ ...base, ...trio }).brokerManagement).toEqual({ urls: ['http://mq1:15672', 'http://mq2:15672'], user: 'gatehouse-monitor', password: 'pw-of-the-monitor' });
    expect(loadFrontEndConfig(base).brokerManagement).toBeUndefined();
  });

  it('are refused in part: no default user or password', () => {
    let problems: string[] = [];
    try {
      loadFrontEndConfig({ ...base, RABBITMQ_MANAGEMENT_URL: trio.RABBITMQ_MANAGEMENT_URL });
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['RABBITMQ_MONITOR_PASSWORD', 'RABBITMQ_MONITOR_USER']);
    expect(problems[0]).toContain('set all three or none');
  });
});

describe('the admin token', () => {
  it('matches only itself', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(tokenMatches(TOKEN.slice(1), TOKEN)).toBe(false);
    expect(tokenMatches(undefined, TOKEN)).toBe(false);
    expect(tokenMatches('', TOKEN)).toBe(false);
  });

  it('is read from a Bearer header only', () => {
    expect(bearerToken(`Bearer ${TOKEN}`)).toBe(TOKEN);
    expect(bearerToken(`bearer ${TOKEN}`)).toBe(TOKEN);
    expect(bearerToken(`Basic ${TOKEN}`)).toBeUndefined();
    expect(bearerToken(TOKEN)).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});

describe('the admin cookie', () => {
  const now = 1_800_000_000_000;

  it('never carries the token, and is valid for this token within its max age', () => {
    const value = adminCookieValue(TOKEN, now);
    expect(value).not.toContain(TOKEN);
    expect(adminCookieValid(value, TOKEN, now + 1000)).toBe(true);
    expect(adminCookieValid(value, TOKEN, now + ADMIN_COOKIE_MAX_AGE_S * 1000 + 1)).toBe(false);
  });

  it('is refused for another token, when altered, or when its time is changed', () => {
    const value = adminCookieValue(TOKEN, now);
    expect(adminCookieValid(value, `${TOKEN}-rotated`, now)).toBe(false);
    expect(adminCookieValid(`${value.slice(0, -1)}${value.endsWith('A') ? 'B' : 'A'}`, TOKEN, now)).toBe(false);
    expect(adminCookieValid(value.replace(String(now), String(now + 1)), TOKEN, now)).toBe(false);
    expect(adminCookieValid(undefined, TOKEN, now)).toBe(false);
    expect(adminCookieValid('garbage', TOKEN, now)).toBe(false);
  });
});
