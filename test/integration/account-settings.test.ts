import { describe, expect, it } from 'vitest';
import { deletedAccountName, recentEvents } from '@gatehouse/database';
import { FormClient } from '../support/form-client.js';
import { useStackWithDatabase } from '../support/stack.js';
import { newEmail } from '../support/test-ids.js';

/**
 * Issue 19: the Account page on real servers (a Back End and a Front End process, the harness's
 * RabbitMQ and PostgreSQL): its list of sessions, ending them, changing the password and
 * deleting the account.
 */

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';
const FIREFOX = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0' };
const PHONE = { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1' };
const servers = useStackWithDatabase();

async function registered(): Promise<{ email: string; laptop: FormClient }> {
  const email = newEmail('account');
  const laptop = new FormClient(servers().stack.url, FIREFOX);
  expect((await laptop.submit('/register', { email, password: PASSWORD })).status).toBe(303);
  return { email, laptop };
}

async function loggedIn(email: string, password = PASSWORD, headers = PHONE): Promise<FormClient> {
  const browser = new FormClient(servers().stack.url, headers);
  expect((await browser.submit('/login', { email, password })).status).toBe(303);
  return browser;
}

const refsOn = (body: string) => [...body.matchAll(/name="ref" value="([0-9a-f]{16})"/g)].map((m) => m[1]!);
/** Failures in a row, from untrusted clients and trusted devices (a browser that registered is one). */
const failures = async (email: string) =>
  (await servers().db.readWrite<{ n: number }[]>`
    SELECT coalesce(sum(failures), 0)::int AS n FROM (
      SELECT failures FROM login_failures WHERE email = ${email}
      UNION ALL SELECT failures FROM login_device_failures WHERE email = ${email}) f`)[0]!.n;

describe('the Account page', () => {
  it('lists where the user is logged in, marks this one, and ends another', async () => {
    const { email, laptop } = await registered();
    const phone = await loggedIn(email);
    const page = await laptop.get('/account');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Firefox on Linux');
    expect(page.body).toContain('Safari on iOS');
    expect(page.body.match(/This one/g)).toHaveLength(1);
    const [phoneRef] = refsOn(page.body);
    expect(refsOn(page.body)).toHaveLength(1);

    const ended = await laptop.submit('/account/sessions', { ref: phoneRef! }, '/account');
    expect(ended.location).toBe('/account?done=sessions');
    expect((await phone.get('/secret')).status).toBe(303);
    expect((await laptop.get('/secret')).status).toBe(200);
    expect((await recentEvents(servers().db.readWrite, { email, limit: 5 })).map((e) => e.event)).toContain('session_end');
  });

  it('ends every other session at once, and none of another user', async () => {
    const { email, laptop } = await registered();
    const [phone, tablet] = [await loggedIn(email), await loggedIn(email)];
    const stranger = await registered();
    await laptop.submit('/account/sessions', {}, '/account');
    expect((await phone.get('/secret')).status).toBe(303);
    expect((await tablet.get('/secret')).status).toBe(303);
    expect((await laptop.get('/secret')).status).toBe(200);
    expect((await stranger.laptop.get('/secret')).status).toBe(200);
  });

  it('sends a visitor without a session to the login page', async () => {
    const visitor = await new FormClient(servers().stack.url).get('/account');
    expect(visitor.status).toBe(303);
    expect(visitor.location).toBe('/login?next=%2Faccount');
  });
});

describe('changing the password', () => {
  it('refuses a wrong current password (counted towards the lock), then changes it and ends the other sessions', async () => {
    const { email, laptop } = await registered();
    const phone = await loggedIn(email);
    const wrong = await laptop.submit('/account/password', { 'current-password': 'not my password', 'new-password': NEW_PASSWORD }, '/account');
    expect(wrong.status).toBe(400);
    expect(wrong.body).toContain('That is not your current password.');
    expect(await failures(email)).toBe(1);

    const done = await laptop.submit('/account/password', { 'current-password': PASSWORD, 'new-password': NEW_PASSWORD }, '/account');
    expect(done.location).toBe('/account?done=password');
    expect((await laptop.get(done.location!)).body).toContain('Your password was changed.');
    // The right password's own attempt was given back: only the wrong one still counts.
    expect(await failures(email)).toBe(1);
    expect((await phone.get('/secret')).status).toBe(303);
    expect((await laptop.get('/secret')).status).toBe(200);
    expect((await new FormClient(servers().stack.url).submit('/login', { email, password: PASSWORD })).status).toBe(401);
    await loggedIn(email, NEW_PASSWORD);
  });

  it('holds a new password to the registration rules', async () => {
    const { email, laptop } = await registered();
    const weak = await laptop.submit('/account/password', { 'current-password': PASSWORD, 'new-password': email }, '/account');
    expect(weak.status).toBe(400);
    expect(weak.body).toMatch(/id="new-password-error"/);
    await loggedIn(email); // unchanged
  });
});

describe('deleting the account', () => {
  it('needs the password; then removes the user and its sessions, keeps the audit trail under a pseudonym, and frees the address', async () => {
    const { email, laptop } = await registered();
    const phone = await loggedIn(email);
    expect((await laptop.submit('/account/delete', { 'delete-password': 'not my password' }, '/account')).status).toBe(400);

    const gone = await laptop.submit('/account/delete', { 'delete-password': PASSWORD }, '/account');
    expect(gone.location).toBe('/?account-deleted=1');
    expect((await laptop.get(gone.location!)).body).toContain('Your account was deleted.');
    expect((await phone.get('/secret')).status).toBe(303);

    const { db } = servers();
    expect((await db.readWrite<{ n: number }[]>`SELECT count(*)::int AS n FROM sessions WHERE lower(email) = ${email}`)[0]!.n).toBe(0);
    expect((await recentEvents(db.readWrite, { email, limit: 50 })).map((e) => e.event)).toEqual([]);
    const kept = await recentEvents(db.readWrite, { email: deletedAccountName(email), limit: 50 });
    expect(kept.map((e) => e.event)).toEqual(expect.arrayContaining(['register', 'login_success', 'login_failure', 'account_deleted']));
    expect((await new FormClient(servers().stack.url).submit('/login', { email, password: PASSWORD })).status).toBe(401);

    const again = new FormClient(servers().stack.url);
    expect((await again.submit('/register', { email, password: NEW_PASSWORD })).status).toBe(303);
  });
});

describe('with sessions in cookies', () => {
  it('says the Account page needs the Back End to keep sessions', async () => {
    const { url } = await servers().stack.addFrontEnd({ SESSION_STORE: 'cookie' });
    const browser = new FormClient(url);
    expect((await browser.submit('/register', { email: newEmail('cookie'), password: PASSWORD })).status).toBe(303);
    const page = await browser.get('/account');
    expect(page.status).toBe(501);
    expect(page.body).toContain('needs the Back End to keep sessions');
  });
});
