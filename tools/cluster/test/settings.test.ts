import { mkdtempSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomically } from '../src/files.js';
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

  it('survive two commands starting at once: a reader never sees a half-written file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-settings-'));
    const file = join(dir, 'settings.json');
    // Large enough that a plain write is still under way while readers look (the chaos tests start two etcd members together).
    const version = (n: number) => JSON.stringify({ n, pad: 'x'.repeat(4 << 20) });
    await writeFileAtomically(file, version(0));
    const writers = Array.from({ length: 8 }, (_, i) => writeFileAtomically(file, version(i + 1)));
    const readers = Array.from({ length: 40 }, async () => (JSON.parse(await readFile(file, 'utf8')) as { n: number }).n);
    const [, seen] = await Promise.all([Promise.all(writers), Promise.all(readers)]);
    expect(seen.every((n) => Number.isInteger(n))).toBe(true);
    expect(readdirSync(dir)).toEqual(['settings.json']); // no temporary file left behind
    expect(await mergeSettings(dir, {})).toEqual({ n: expect.any(Number), pad: expect.any(String) });
  });
});
