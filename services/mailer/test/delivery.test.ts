import { describe, expect, it } from 'vitest';
import pino from 'pino';
import type { Reply, RequestInput } from '@gatehouse/protocol';
import type { RpcClient } from '@gatehouse/messaging';
import { ClaimHeldError, MailDelivery } from '../src/delivery.js';
import { deliverWithRetry } from '../src/retrying.js';
import type { MailTransport } from '../src/transport.js';
import type { ComposedMail } from '../src/templates.js';

const ID = '6a1e0c1c-1d8e-4c53-9d0b-2b6f5c7e8a90';
const site = { name: 'Gatehouse', publicUrl: 'http://127.0.0.1:8080', from: 'no-reply@127.0.0.1' };
const logger = pino({ level: 'silent' });
const outboxMail = { id: ID, template: 'password_reset', recipient: 'cy@example.com', data: { token: 'y'.repeat(43), expiresAt: new Date(Date.now() + 60_000).toISOString() } };

/** A unit double of the Back End's two mail actions, answering from a script. */
class FakeBackEnd implements RpcClient {
  readonly calls: string[] = [];
  claim: Reply = { success: true, mail: outboxMail };
  failSent = 0;
  isReady = () => true;
  close = async () => {};
  async call(request: RequestInput): Promise<Reply> {
    this.calls.push(request.action);
    if (request.action === 'MAIL_CLAIM') return this.claim;
    if (this.failSent > 0) {
      this.failSent--;
      throw new Error('no reply in time');
    }
    return { success: true };
  }
}

class FakeTransport implements MailTransport {
  readonly sent: ComposedMail[] = [];
  failures = 0;
  description = 'fake';
  verify = async () => {};
  close() {}
  async send(mail: ComposedMail) {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('connect ECONNREFUSED');
    }
    this.sent.push(mail);
  }
}

describe('one delivery', () => {
  it('claims, sends and marks the mail sent', async () => {
    const [backEnd, transport] = [new FakeBackEnd(), new FakeTransport()];
    expect(await new MailDelivery(backEnd, transport, site, logger).deliver(ID)).toBe('sent');
    expect(backEnd.calls).toEqual(['MAIL_CLAIM', 'MAIL_SENT']);
    expect(transport.sent.map((m) => m.to)).toEqual(['cy@example.com']);
  });

  it('sends nothing for a mail sent before or gone, and waits for a claim held elsewhere', async () => {
    const [backEnd, transport] = [new FakeBackEnd(), new FakeTransport()];
    const delivery = new MailDelivery(backEnd, transport, site, logger);
    backEnd.claim = { success: false, mailState: 'sent' };
    expect(await delivery.deliver(ID)).toBe('already_sent');
    backEnd.claim = { success: false, mailState: 'gone' };
    expect(await delivery.deliver(ID)).toBe('gone');
    backEnd.claim = { success: false, mailState: 'busy', retryInMs: 1234 };
    await expect(delivery.deliver(ID)).rejects.toEqual(new ClaimHeldError(1234));
    expect(transport.sent).toHaveLength(0);
  });

  it('does not send again when only MAIL_SENT failed: the retry just marks it', async () => {
    const [backEnd, transport] = [new FakeBackEnd(), new FakeTransport()];
    backEnd.failSent = 1;
    const outcome = await deliverWithRetry(new MailDelivery(backEnd, transport, site, logger), ID, logger, { initialMs: 1, maxMs: 2, holdMs: 1000 });
    expect(outcome).toBe('sent');
    expect(transport.sent).toHaveLength(1);
    expect(backEnd.calls).toEqual(['MAIL_CLAIM', 'MAIL_SENT', 'MAIL_SENT']);
  });
});

describe('retrying', () => {
  it('waits out an SMTP server that refuses connections', async () => {
    const transport = new FakeTransport();
    transport.failures = 3;
    const outcome = await deliverWithRetry(new MailDelivery(new FakeBackEnd(), transport, site, logger), ID, logger, { initialMs: 1, maxMs: 4, holdMs: 5000 });
    expect(outcome).toBe('sent');
    expect(transport.sent).toHaveLength(1);
  });

  it('gives the message back after its hold time, and dead-letters a mail that cannot be rendered', async () => {
    const transport = new FakeTransport();
    transport.failures = 1000;
    const retry = { initialMs: 5, maxMs: 5, holdMs: 30 };
    expect(await deliverWithRetry(new MailDelivery(new FakeBackEnd(), transport, site, logger), ID, logger, retry)).toBe('gave_up');
    const backEnd = new FakeBackEnd();
    backEnd.claim = { success: true, mail: { ...outboxMail, template: 'unknown' } };
    expect(await deliverWithRetry(new MailDelivery(backEnd, new FakeTransport(), site, logger), ID, logger, retry)).toBe('undeliverable');
  });

  it('stops at once when the Mailer shuts down', async () => {
    const transport = new FakeTransport();
    transport.failures = 1000;
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 20);
    const outcome = await deliverWithRetry(new MailDelivery(new FakeBackEnd(), transport, site, logger), ID, logger, { initialMs: 10_000, maxMs: 10_000, holdMs: 60_000 }, stop.signal);
    expect(outcome).toBe('stopped');
  });
});
