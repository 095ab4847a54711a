import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Reply, Request } from '@gatehouse/protocol';
import { FakeRpc } from './fake-rpc.js';
import { Browser, makeApp } from './helpers.js';

/**
 * The verification pages' answers to what the Back End says, with a fake Back End (the flows
 * themselves run on real servers in test/integration/email-verification.test.ts).
 */
class AddressRpc extends FakeRpc {
  sendReply: Reply = { success: true };

  protected override answer(request: Request): Reply {
    if (request.action === 'VERIFICATION_SEND') return this.sendReply;
    return super.answer(request);
  }
}

let app: FastifyInstance | undefined;
afterEach(() => app?.close());

async function started(env: Record<string, string> = {}): Promise<{ rpc: AddressRpc; browser: Browser }> {
  const made = await makeApp(new AddressRpc(), env);
  app = made.app;
  return { rpc: made.rpc as AddressRpc, browser: new Browser(made.app) };
}

describe('send it again', () => {
  it('sends the address and the IP budget, and answers alike', async () => {
    const { rpc, browser } = await started();
    const res = await browser.submit('/verify-email/resend', { email: ' Ann@Example.com ' });
    expect(res.statusCode).toBe(200);
    expect(rpc.requests.at(-1)).toMatchObject({ action: 'VERIFICATION_SEND', data: { email: 'ann@example.com', ipLimitPerMinute: 20 } });
  });

  it('answers the IP over its budget with the 429 page, and a bad address next to the field', async () => {
    const { rpc, browser } = await started();
    rpc.sendReply = { success: false, rateLimited: true };
    expect((await browser.submit('/verify-email/resend', { email: 'ann@example.com' })).statusCode).toBe(429);
    const bad = await browser.submit('/verify-email/resend', { email: 'x'.repeat(300) });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('id="email-error"');
  });

  it('is limited per IP in this process too', async () => {
    const { browser } = await started({ RATE_LIMIT_PER_MINUTE: '2' });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await browser.submit('/verify-email/resend', { email: 'ann@example.com' })).statusCode);
    expect(statuses).toEqual([200, 200, 429]);
  });
});

describe('with sessions in cookies', () => {
  it('says the pages need the Back End to keep sessions', async () => {
    const { browser } = await started({ SESSION_STORE: 'cookie' });
    for (const path of [`/verify-email?token=${'A'.repeat(43)}`, '/verify-email/resend', `/confirm-email-change?token=${'A'.repeat(43)}`]) {
      const page = await browser.get(path);
      expect(page.statusCode).toBe(501);
      expect(page.body).toContain('needs the Back End to keep sessions');
    }
  });

  it('registers without asking for a link', async () => {
    const { rpc, browser } = await started({ SESSION_STORE: 'cookie' });
    expect((await browser.submit('/register', { email: 'ann@example.com', password: 'correct horse battery' })).statusCode).toBe(303);
    expect(rpc.requests.find((r) => r.action === 'REGISTER')!.data).not.toHaveProperty('verifyEmail');
  });
});

describe('EMAIL_VERIFICATION=off', () => {
  it('registers without asking for a link, and shows no notice', async () => {
    const { rpc, browser } = await started({ EMAIL_VERIFICATION: 'off' });
    expect((await browser.submit('/register', { email: 'ann@example.com', password: 'correct horse battery' })).statusCode).toBe(303);
    expect(rpc.requests.find((r) => r.action === 'REGISTER')!.data).not.toHaveProperty('verifyEmail');
    expect((await browser.get('/')).body).not.toContain('Send it again');
  });
});
