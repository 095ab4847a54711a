import { describe, expect, it } from 'vitest';
import { FormClient } from '../support/form-client.js';
import { useStackWithDatabase } from '../support/stack.js';
import { newEmail } from '../support/test-ids.js';

// Issue 17 §3, OWASP's device cookies: failures from clients without a device cookie for the
// account lock out those clients only; the owner's browser, which logged in before, keeps its own
// budget. Real processes: a Front End, a Back End, PostgreSQL and RabbitMQ, default lockout policy.
const PASSWORD = 'Tr0ub4dor & horse';
const THRESHOLD = 5;
/** The default ladder's locks in minutes, from the fifth failure in a row: 1, 2, 4, 8, then 15. */
const LOCK_MINUTES = [1, 2, 4, 8, 15];
const DEVICE_COOKIE = 'device';

const tiers = useStackWithDatabase();
const browser = () => new FormClient(tiers().stack.url);

/** The owner's browser: it registered, logged out, and logged in, so it holds a device cookie. */
async function owner(email: string): Promise<FormClient> {
  const client = browser();
  expect((await client.submit('/register', { email, password: PASSWORD })).status).toBe(303);
  expect((await client.submit('/logout', {})).status).toBe(303);
  expect((await client.submit('/login', { email, password: PASSWORD })).status).toBe(303);
  expect(client.cookie(DEVICE_COOKIE)).toMatch(/^d1\./);
  return client;
}

async function untrustedRow(email: string) {
  const [row] = await tiers().db.readWrite<{ failures: number; locked: boolean }[]>`
    SELECT failures, coalesce(locked_until > now(), false) AS locked FROM login_failures WHERE email = ${email}`;
  return row;
}

async function ownerLogsInAtOnce(client: FormClient, email: string): Promise<void> {
  expect((await client.submit('/login', { email, password: PASSWORD })).status).toBe(303);
  expect((await client.get('/secret')).body).toContain(email);
  expect((await client.submit('/logout', {})).status).toBe(303);
}

describe('device cookies', () => {
  it("an attacker keeps the account locked from another client for an hour; the owner's browser logs in at once all along", async () => {
    const email = newEmail('device');
    const mine = await owner(email);
    const attacker = browser();
    for (let i = 0; i < THRESHOLD; i++) expect((await attacker.submit('/login', { email, password: `guess ${i}` })).status).toBe(401);
    expect(await untrustedRow(email)).toEqual({ failures: THRESHOLD, locked: true });

    // Each lock is let run out by moving it into the past (the clock is not waited on); the attacker
    // then fails once more and locks the account again, one step further up the ladder.
    let lockedMinutes = 0;
    for (let step = 0; lockedMinutes < 60; step++) {
      await ownerLogsInAtOnce(mine, email);
      expect(await untrustedRow(email)).toMatchObject({ locked: true }); // the owner's login left the attacker's lock alone
      lockedMinutes += LOCK_MINUTES[Math.min(step, LOCK_MINUTES.length - 1)]!;
      await tiers().db.readWrite`UPDATE login_failures SET locked_until = now() - interval '1 second' WHERE email = ${email}`;
      expect((await attacker.submit('/login', { email, password: `guess ${step}` })).status).toBe(401);
    }
    expect(await untrustedRow(email)).toEqual({ failures: THRESHOLD + 7, locked: true });
    // Anyone without the device cookie, even with the right password, is locked out.
    expect((await browser().submit('/login', { email, password: PASSWORD })).status).toBe(401);
    await ownerLogsInAtOnce(mine, email);
  });

  it('a forged or tampered device cookie, or one for another account, is not trusted', async () => {
    const email = newEmail('device');
    const mine = await owner(email);
    const someoneElse = await owner(newEmail('device'));
    for (let i = 0; i < THRESHOLD; i++) await browser().submit('/login', { email, password: `guess ${i}` });
    const real = mine.cookie(DEVICE_COOKIE)!;
    const [version, nonce, mac] = real.split('.') as [string, string, string];
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    const cookies = [
      `${version}.${nonce}.${flip(mac)}`, // tampered signature
      `${version}.${flip(nonce)}.${mac}`, // another nonce under the same signature
      `${version}.${nonce}.${'A'.repeat(43)}`, // forged
      someoneElse.cookie(DEVICE_COOKIE)!, // valid, but for another account
      'garbage',
    ];
    for (const value of cookies) {
      const client = browser();
      client.setCookie(DEVICE_COOKIE, value);
      expect((await client.submit('/login', { email, password: PASSWORD })).status, value).toBe(401);
    }
    await ownerLogsInAtOnce(mine, email);
  });

  it('a trusted device has its own budget: its failures lock that device only, audited as a device lockout', async () => {
    const email = newEmail('device');
    const mine = await owner(email);
    for (let i = 0; i < THRESHOLD; i++) expect((await mine.submit('/login', { email, password: `typo ${i}` })).status).toBe(401);
    // Locked now: the right password is refused on this device, with the usual message.
    const refused = await mine.submit('/login', { email, password: PASSWORD });
    expect(refused.status).toBe(401);
    const [device] = await tiers().db.readWrite<{ failures: number; locked: boolean }[]>`
      SELECT failures, locked_until > now() AS locked FROM login_device_failures WHERE email = ${email}`;
    expect(device).toEqual({ failures: THRESHOLD, locked: true });
    // The untrusted clients' budget was not touched, so the owner can still log in elsewhere.
    expect(await untrustedRow(email)).toBeUndefined();
    expect((await browser().submit('/login', { email, password: PASSWORD })).status).toBe(303);
    const events = await tiers().db.readWrite<{ event: string }[]>`SELECT event FROM auth_events WHERE email = ${email} AND event LIKE '%lockout'`;
    expect(events.map((e) => e.event)).toEqual(['device_lockout']);
    // Nothing in the database could serve as the cookie: only the nonce's SHA-256 is stored.
    const [stored] = await tiers().db.readWrite<{ device: string }[]>`SELECT device FROM login_device_failures WHERE email = ${email}`;
    expect(stored!.device).toMatch(/^[0-9a-f]{64}$/);
    expect(mine.cookie(DEVICE_COOKIE)).not.toContain(stored!.device);
  });
});
