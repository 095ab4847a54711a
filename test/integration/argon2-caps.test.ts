import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackEndFixture, type BackEndFixture } from '../support/back-end-fixture.js';
import { FormClient } from '../support/form-client.js';
import { useStackWithDatabase } from '../support/stack.js';

// Issue 7 §2: a stored hash names its own argon2 cost; neither tier lets it name a ruinous one.
const SALT_AND_HASH = 'c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo';
const phc = (params: string) => `$argon2id$v=19$${params}$${SALT_AND_HASH}`;
const HUGE_MEMORY = phc('m=4194304,t=2,p=1'); // 4 GiB per verify
const HUGE_TIME = phc('m=19456,t=3000,p=1'); // about a minute of a core per verify
const PASSWORD = 'Tr0ub4dor & horse';
let n = 0;
const newEmail = () => `caps-${Date.now()}-${n++}@example.com`;

describe('the Back End stores no hash above the caps', () => {
  let fixture: BackEndFixture;
  beforeAll(async () => void (fixture = await startBackEndFixture('argon2-caps')));
  afterAll(() => fixture?.stop());

  const storedHash = async (email: string) =>
    (await fixture.primary.readWrite<{ hash: string }[]>`SELECT hash FROM users WHERE email = ${email}`)[0]?.hash;

  it('refuses a REGISTER sent over AMQP with m=4194304, and stores nothing', async () => {
    const email = newEmail();
    const reply = await fixture.rpc.call({ action: 'REGISTER', data: { email, hash: HUGE_MEMORY } });
    expect(reply).toEqual({ success: false, message: 'data.hash: hash costs too much to verify (m=4194304 is above 77824)' });
    expect(await storedHash(email)).toBeUndefined();
  });

  it('refuses an UPDATE_HASH with t=3000, and keeps the old hash', async () => {
    const email = newEmail();
    const normal = phc('m=19456,t=2,p=1');
    expect(await fixture.rpc.call({ action: 'REGISTER', data: { email, hash: normal } })).toEqual({ success: true });
    const reply = await fixture.rpc.call({ action: 'UPDATE_HASH', data: { email, hash: HUGE_TIME } });
    expect(reply).toMatchObject({ success: false, message: expect.stringContaining('t=3000 is above 8') });
    expect(await storedHash(email)).toBe(normal);
  });
});

describe('the Front End never verifies a hash above the caps', () => {
  const tiers = useStackWithDatabase();
  const browser = () => new FormClient(tiers().stack.url);

  it.each([
    ['t=3000', HUGE_TIME],
    ['m=4194304', HUGE_MEMORY],
  ])('answers 401 at once for a user whose stored hash has %s', async (_case, hash) => {
    const email = newEmail();
    // Planted in the database directly, as an attacker with the Back End's access could.
    await tiers().db.readWrite`INSERT INTO users (email, hash) VALUES (${email}, ${hash})`;
    const started = Date.now();
    const res = await browser().submit('/login', { email, password: PASSWORD });
    expect(res.status).toBe(401);
    // Running argon2 on it would take about a minute (t=3000) or 4 GiB (m=4194304).
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(peakRssMib(tiers().stack.frontEnd.pid)).toBeLessThan(1024);
    expect(tiers().stack.logs()).toContain('stored hash refused without verifying');
  });

  it('still registers and logs in with normal hashes', async () => {
    const email = newEmail();
    expect((await browser().submit('/register', { email, password: PASSWORD })).status).toBe(303);
    expect((await browser().submit('/login', { email, password: PASSWORD })).status).toBe(303);
  });
});

/** The highest resident memory (VmHWM) of `pid` or any of its children (tsx runs the server as one). */
function peakRssMib(pid: number): number {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  const peaks = [pid, ...children].map((p) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0));
  return Math.max(...peaks) / 1024;
}
