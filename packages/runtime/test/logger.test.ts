import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';

function capture(pretty: boolean) {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { logger: createLogger('test', 'info', { pretty, destination: out }), text: () => text };
}

describe('createLogger', () => {
  it('writes one readable line per record for a terminal, with secrets redacted', async () => {
    const { logger, text } = capture(true);
    logger.info({ password: 'hunter2-secret', user: 'ann' }, 'Gatehouse is running');
    await new Promise((resolve) => setImmediate(resolve));
    expect(text()).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: Gatehouse is running {"password":"\[redacted\]","user":"ann"}\n$/);
    expect(text()).not.toContain('hunter2-secret');
    expect(text()).not.toMatch(/^\{/);
  });

  it('writes JSON for machines, with secrets redacted', async () => {
    const { logger, text } = capture(false);
    logger.info({ hash: '$argon2id$secret-hash' }, 'registered');
    await new Promise((resolve) => setImmediate(resolve));
    const record = JSON.parse(text()) as Record<string, unknown>;
    expect(record).toMatchObject({ msg: 'registered', name: 'test', hash: '[redacted]' });
  });
});
