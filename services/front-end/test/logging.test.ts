import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { buildApp } from '../src/app.js';
import { loadFrontEndConfig } from '../src/config.js';
import { FakeRpc } from './fake-rpc.js';
import { Browser, TEST_ENV } from './helpers.js';

const PASSWORD = 'never log me 12345';

function captureLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'trace' }, stream), lines };
}

describe('logging', () => {
  it('logs a 5xx with its request context and never logs the password', async () => {
    const { logger, lines } = captureLogger();
    const rpc = new FakeRpc();
    const app = await buildApp({ rpc, config: loadFrontEndConfig(TEST_ENV), logger });
    const browser = new Browser(app);
    await browser.submit('/register', { email: 'log@example.com', password: PASSWORD });
    rpc.failWith = new Error('broker exploded');
    const res = await browser.submit('/login', { email: 'log@example.com', password: PASSWORD });
    await app.close();

    expect(res.statusCode).toBe(500);
    const failure = lines.find((l) => l.msg === 'request failed');
    expect(failure).toMatchObject({ level: 50, method: 'POST', url: '/login', status: 500 });
    expect(failure?.reqId).toBeDefined();
    expect((failure?.err as { message?: string }).message).toBe('broker exploded');
    expect(JSON.stringify(lines)).not.toContain(PASSWORD);
  });
});
