import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeSettings, PASS_THROUGH } from '../src/settings.js';

describe('settings passed through to the services', () => {
  it('are the tiers\' own variables, never the addresses or secrets the cluster sets', () => {
    expect(PASS_THROUGH).toEqual(expect.arrayContaining(['RATE_LIMIT_PER_MINUTE', 'LOCKOUT_THRESHOLD', 'LOG_LEVEL', 'QUERY_TIMEOUT_MS']));
    for (const own of ['AMQP_URL', 'DATABASE_URL', 'SESSION_SECRET', 'PORT', 'HEALTH_PORT', 'ADMIN_TOKEN', 'RABBITMQ_MONITOR_PASSWORD', 'PATRONI_URLS']) {
      expect(PASS_THROUGH).not.toContain(own);
    }
  });

  it('are kept for later starts, and a later environment overrides them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-settings-'));
    expect(await mergeSettings(dir, { RATE_LIMIT_PER_MINUTE: '100000', AMQP_URL: 'amqp://x:y@h', PATH: '/bin' })).toEqual({ RATE_LIMIT_PER_MINUTE: '100000' });
    expect(await mergeSettings(dir, {})).toEqual({ RATE_LIMIT_PER_MINUTE: '100000' });
    expect(await mergeSettings(dir, { RATE_LIMIT_PER_MINUTE: '5', LOG_LEVEL: 'warn' })).toEqual({ RATE_LIMIT_PER_MINUTE: '5', LOG_LEVEL: 'warn' });
  });
});
