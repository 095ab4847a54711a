import { describe, expect, it } from 'vitest';
import { formatReport, parseStatusArgs } from '../src/status/cli.js';
import { clusterFacts, reportOf } from './status/cluster-report.js';

const env = { ADMIN_TOKEN: 'a-token-of-at-least-24-characters' };

describe('npm run status: arguments', () => {
  it('takes the URL from --url, else GATEHOUSE_URL, else npm start\'s address', () => {
    expect(parseStatusArgs(['--url', 'http://fe:8080/'], env)).toMatchObject({ url: 'http://fe:8080', token: env.ADMIN_TOKEN, json: false });
    expect(parseStatusArgs([], { ...env, GATEHOUSE_URL: 'https://gate.example' }).url).toBe('https://gate.example');
    expect(parseStatusArgs([], env).url).toBe('http://127.0.0.1:3000');
    expect(parseStatusArgs(['--json', '--watch', '5'], env)).toMatchObject({ json: true, watchSeconds: 5 });
  });

  it('watches every 5 seconds when --watch has no number', () => {
    expect(parseStatusArgs(['--watch'], env).watchSeconds).toBe(5);
    expect(parseStatusArgs(['--watch', '--url', 'http://fe:8080'], env)).toMatchObject({ watchSeconds: 5, url: 'http://fe:8080' });
  });

  it('refuses what it cannot use, with a message for the user', () => {
    expect(() => parseStatusArgs(['--bogus'], env)).toThrow(/bogus/);
    expect(() => parseStatusArgs(['extra'], env)).toThrow('unexpected argument "extra"');
    expect(() => parseStatusArgs(['--url', 'ftp://x'], env)).toThrow(/--url must be an http/);
    expect(() => parseStatusArgs(['--url', 'nonsense'], env)).toThrow(/--url must be an http/);
    expect(() => parseStatusArgs(['--watch', '0'], env)).toThrow(/--watch must be a whole number/);
    expect(() => parseStatusArgs(['--watch', 'soon'], env)).toThrow(/--watch must be a whole number/);
    expect(() => parseStatusArgs([], {})).toThrow(/ADMIN_TOKEN is not set/);
  });

  it('prints its usage with --help even without a token', () => {
    expect(parseStatusArgs(['--help'], {}).help).toBe(true);
  });
});

describe('npm run status: formatting', () => {
  const report = {
    generatedAt: '2026-11-26T00:40:12.345Z',
    transport: 'amqp',
    sections: [
      { id: 'tiers', title: 'Tiers and replicas', columns: ['Tier', 'Health'], rows: [['Front End', 'ok'], ['Back End', 'degraded']], note: 'Back End: one not consuming' },
      { id: 'broker', title: 'Messaging (RabbitMQ)', columns: ['Queue'], rows: [], note: 'unavailable: not configured' },
    ],
  };

  it('draws each section as an aligned table under its title and note', () => {
    expect(formatReport(report, 'http://fe:3000')).toBe(
      [
        'Gatehouse at http://fe:3000, 2026-11-26 00:40:12 UTC (messages over RabbitMQ)',
        '',
        'TIERS AND REPLICAS',
        '  Back End: one not consuming',
        '  Tier       Health',
        '  Front End  ok',
        '  Back End   degraded',
        '',
        'MESSAGING (RABBITMQ)',
        '  unavailable: not configured',
      ].join('\n'),
    );
  });

  it('draws the picture between the header and the tables when the report carries its facts', () => {
    const full = reportOf(clusterFacts());
    const text = formatReport(full, 'http://fe:3000');
    const at = (needle: string) => text.indexOf(needle);
    expect(at('Gatehouse at http://fe:3000')).toBe(0);
    expect(at('TOPOLOGY')).toBeGreaterThan(0);
    expect(at('TRAFFIC')).toBeGreaterThan(at('TOPOLOGY'));
    expect(at('TIERS AND REPLICAS')).toBeGreaterThan(at('TRAFFIC'));
    expect(text).not.toContain('\x1b[');
    expect(formatReport(full, 'http://fe:3000', { color: true })).toContain('\x1b[32m● ');
  });
});
