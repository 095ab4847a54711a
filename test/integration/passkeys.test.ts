import { describe, expect, inject, it } from 'vitest';
import { runAccounts } from '@gatehouse/back-end';
import { MAX_PASSKEYS } from '@gatehouse/protocol';
import { connectAmqp } from '@gatehouse/messaging';
import { FormClient } from '../support/form-client.js';
import { auditEvents } from '../support/login-checks.js';
import {
  addPasskey, ceremonyOptions, newAuthenticator, PASSKEY_BACK_END_ENV, passwordless, postAnswer, registerWithPasskey, TEST_RP_ID,
} from '../support/passkey-client.js';
import { rawRequest } from '../support/raw-amqp.js';
import { testLogger } from '../support/silent-logger.js';
import { useStackWithDatabase } from '../support/stack.js';
import { newEmail } from '../support/test-ids.js';
import { PASSWORD, TEST_MFA_KEY } from '../support/totp-client.js';

// Issue 20 §2 and §3: passkeys through real processes (a Back End, a Front End, PostgreSQL,
// RabbitMQ), answered by a software authenticator (test/support/soft-authenticator.ts).
const tiers = useStackWithDatabase({}, { ...PASSKEY_BACK_END_ENV, MFA_ENCRYPTION_KEY: TEST_MFA_KEY });
const browser = () => new FormClient(tiers().stack.url);

const events = (email: string) => auditEvents(tiers().db, email);

describe('adding passkeys', () => {
  it('adds a named passkey from the Account page, stores its key, counter, transports and backup flags, and lists it', async () => {
    const client = browser();
    const email = newEmail('passkey');
    await registerWithPasskey(client, email, 'Work laptop');
    const [row] = await tiers().db.readWrite<{ name: string; counter: string; transports: string; backup_eligible: boolean; backed_up: boolean; public_key: Buffer }[]>`
      SELECT name, counter::text, transports, backup_eligible, backed_up, public_key FROM webauthn_credentials WHERE email = ${email}`;
    expect(row).toMatchObject({ name: 'Work laptop', counter: '0', transports: 'internal', backup_eligible: false, backed_up: false });
    expect(row!.public_key.length).toBeGreaterThan(64);
    const account = await client.get('/account');
    expect(account.body).toContain('Work laptop');
    expect(account.body).toContain('data-passkey="register"');
    expect(account.body).toMatch(/<script src="\/assets\/simplewebauthn-browser\.[0-9a-f]{12}\.js" defer><\/script>/);
    expect(await events(email)).toContain('passkey_added');
    // The challenge is stored only as a hash, and the ceremony's options carry our RP ID.
    const { options } = await ceremonyOptions(client, '/account/passkeys/options', '/account');
    expect(options.rp).toEqual({ id: TEST_RP_ID, name: 'Gatehouse' });
    expect(options.excludeCredentials).toHaveLength(1);
    const stored = await tiers().db.readWrite<{ challenge_hash: string }[]>`SELECT challenge_hash FROM webauthn_challenges WHERE purpose = 'register'`;
    expect(stored.map((r) => r.challenge_hash)).not.toContain(options.challenge);
  });

  it('refuses an answer for another origin or RP ID, or to a challenge of another session, and stores nothing', async () => {
    const client = browser();
    const email = newEmail('passkey');
    expect((await client.submit('/register', { email, password: PASSWORD })).status).toBe(303);
    const wrongOrigin = await addPasskey(client, newAuthenticator(), 'Phished', { origin: 'https://gatehouse.test.evil.example' });
    expect(wrongOrigin.status).toBe(400);
    expect(wrongOrigin.body).toContain('could not be checked for this site');
    expect((await addPasskey(client, newAuthenticator(), 'Elsewhere', { rpId: 'evil.example' })).status).toBe(400);
    // Options fetched by another session: their challenge is bound to it, not to this one.
    const other = browser();
    expect((await other.submit('/register', { email: newEmail('passkey'), password: PASSWORD })).status).toBe(303);
    const { options } = await ceremonyOptions(other, '/account/passkeys/options', '/account');
    const stolen = await postAnswer(client, '/account/passkeys', '/account', newAuthenticator().register(options), { 'passkey-name': 'Stolen', 'passkey-password': PASSWORD });
    expect(stolen.status).toBe(400);
    expect(stolen.body).toContain('took too long, or was used already');
    const rows = await tiers().db.readWrite`SELECT 1 FROM webauthn_credentials WHERE email = ${email}`;
    expect(rows).toHaveLength(0);
  });

  it('answers bad input with a clear error: no name, a malformed answer, no session', async () => {
    const client = browser();
    expect((await client.submit('/register', { email: newEmail('passkey'), password: PASSWORD })).status).toBe(303);
    const authenticator = newAuthenticator();
    const { options } = await ceremonyOptions(client, '/account/passkeys/options', '/account');
    const unnamed = await postAnswer(client, '/account/passkeys', '/account', authenticator.register(options), { 'passkey-name': '  ', 'passkey-password': PASSWORD });
    expect(unnamed.status).toBe(400);
    expect(unnamed.body).toContain('Give the passkey a name');
    const garbled = await client.submit('/account/passkeys', { 'passkey-name': 'Key', 'passkey-password': PASSWORD, credential: '{"id":' }, '/account');
    expect(garbled.status).toBe(400);
    expect(garbled.body).toContain('missing or malformed');
    const stranger = browser();
    expect((await stranger.post('/account/passkeys/options', { _csrf: await stranger.formToken('/login') })).status).toBe(303);
  });

  it('asks for the password too: a stolen session alone cannot add a lasting way in, and a wrong password counts', async () => {
    const client = browser();
    const email = newEmail('passkey');
    expect((await client.submit('/register', { email, password: PASSWORD })).status).toBe(303);
    const refused = await addPasskey(client, newAuthenticator(), 'Backdoor', {}, 'not the password');
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('That is not your current password');
    expect(await tiers().db.readWrite`SELECT 1 FROM webauthn_credentials WHERE email = ${email}`).toHaveLength(0);
    // This browser registered the account, so it is a trusted device: the failure counts on its own budget.
    const failures = async () => {
      const [row] = await tiers().db.readWrite<{ failures: number }[]>`SELECT coalesce(sum(failures), 0)::int AS failures FROM login_device_failures WHERE email = ${email}`;
      return row!.failures;
    };
    expect(await failures()).toBe(1);
    // With the password, the passkey is added and that check's own attempt is given back.
    expect((await addPasskey(client, newAuthenticator())).status).toBe(303);
    expect(await failures()).toBe(1);
  });
});

describe('at most MAX_PASSKEYS per account', () => {
  it('refuses another before the ceremony and when two tabs race for the last place; removing one makes room', async () => {
    const client = browser();
    const email = newEmail('passkey');
    const first = await registerWithPasskey(client, email, 'Key 1');
    for (let n = 2; n < MAX_PASSKEYS; n++) expect((await addPasskey(client, newAuthenticator(), `Key ${n}`)).status).toBe(303);
    // Two tabs start a ceremony each while one place is left: the first answer takes it.
    const tabA = await ceremonyOptions(client, '/account/passkeys/options', '/account');
    const tabB = await ceremonyOptions(client, '/account/passkeys/options', '/account');
    const fields = { 'passkey-password': PASSWORD };
    const won = await postAnswer(client, '/account/passkeys', '/account', newAuthenticator().register(tabA.options), { ...fields, 'passkey-name': 'Last' });
    expect(won.location).toBe('/account?done=passkey-added');
    const lost = await postAnswer(client, '/account/passkeys', '/account', newAuthenticator().register(tabB.options), { ...fields, 'passkey-name': 'One too many' });
    expect(lost.status).toBe(400);
    expect(lost.body).toContain(`Your account has ${MAX_PASSKEYS} passkeys, the most it may have.`);
    const held = async () => (await tiers().db.readWrite<{ n: number }[]>`SELECT count(*)::int AS n FROM webauthn_credentials WHERE email = ${email}`)[0]!.n;
    expect(await held()).toBe(MAX_PASSKEYS);

    // Full: the options are refused with the reason, and the Account page offers no "Add a passkey".
    const refused = await ceremonyOptions(client, '/account/passkeys/options', '/account');
    expect(refused.status).toBe(409);
    expect(refused.error).toContain('Remove one to add another.');
    const page = (await client.get('/account')).body;
    expect(page).toContain(`You have ${MAX_PASSKEYS} passkeys, the most an account may have.`);
    expect(page).not.toContain('data-passkey="register"');

    expect((await client.submit('/account/passkeys/remove', { id: first.lastId, confirm: 'yes' }, '/account')).location).toBe('/account?done=passkey-removed');
    expect((await ceremonyOptions(client, '/account/passkeys/options', '/account')).status).toBe(200);
    expect(await held()).toBe(MAX_PASSKEYS - 1);
  });
});

describe('removing a passkey', () => {
  it('asks for confirmation, then removes it: it no longer logs in, and the password alone does again', async () => {
    const client = browser();
    const email = newEmail('passkey');
    const authenticator = await registerWithPasskey(client, email, 'Old phone');
    const ask = await client.submit('/account/passkeys/remove', { id: authenticator.lastId }, '/account');
    expect(ask.status).toBe(200);
    expect(ask.body).toContain('Remove the passkey “Old phone”?');
    expect(ask.body).toContain('name="confirm" value="yes"');
    expect((await tiers().db.readWrite`SELECT 1 FROM webauthn_credentials WHERE email = ${email}`)).toHaveLength(1);
    // Without the form's CSRF token, nothing happens.
    expect((await client.post('/account/passkeys/remove', { id: authenticator.lastId, confirm: 'yes' })).status).toBe(403);
    const done = await client.submit('/account/passkeys/remove', { id: authenticator.lastId, confirm: 'yes' }, '/account');
    expect(done.location).toBe('/account?done=passkey-removed');
    expect((await tiers().db.readWrite`SELECT 1 FROM webauthn_credentials WHERE email = ${email}`)).toHaveLength(0);
    expect(await events(email)).toContain('passkey_removed');

    expect((await passwordless(browser(), (o) => authenticator.assert(o))).status).toBe(401);
    const later = browser();
    expect((await later.submit('/login', { email, password: PASSWORD })).location).toBe('/');
  });

  it("cannot remove another account's passkey", async () => {
    const owner = newEmail('passkey');
    const authenticator = await registerWithPasskey(browser(), owner);
    const thief = browser();
    await registerWithPasskey(thief, newEmail('passkey'));
    const tried = await thief.submit('/account/passkeys/remove', { id: authenticator.lastId, confirm: 'yes' }, '/account');
    expect(tried.location).toBe('/account');
    expect((await tiers().db.readWrite`SELECT 1 FROM webauthn_credentials WHERE email = ${owner}`)).toHaveLength(1);
  });
});

describe("an operator's reset-mfa", () => {
  it('removes the passkeys of a user who lost them all: then the password alone logs in', async () => {
    const email = newEmail('passkey');
    await registerWithPasskey(browser(), email);
    expect((await browser().submit('/login', { email, password: PASSWORD })).location).toBe('/login/second-factor');
    expect(await runAccounts(['reset-mfa', '--email', email], tiers().stack.databaseUrl)).toBe(0);
    expect(await tiers().db.readWrite`SELECT 1 FROM webauthn_credentials WHERE email = ${email}`).toHaveLength(0);
    expect((await browser().submit('/login', { email, password: PASSWORD })).location).toBe('/');
    expect(await events(email)).toContain('second_factor_reset');
  });
});

describe('the passkey actions on the bus', () => {
  it('answer malformed requests with a clear error and keep running', async () => {
    const connection = connectAmqp({ urls: [inject('amqpUrl')], name: 'passkeys-test', logger: testLogger });
    const ask = (value: unknown) => rawRequest(connection, tiers().stack.queue, Buffer.from(JSON.stringify(value)));
    const tokenHash = '0'.repeat(64);
    try {
      expect(await ask({ action: 'PASSKEY_LOGIN_OPTIONS', data: {} })).toEqual({ success: false, message: 'data: exactly one of pendingHash and flowHash' });
      expect(await ask({ action: 'PASSKEY_REGISTER', data: { tokenHash, name: 'x', credential: { id: 1 } } })).toMatchObject({ success: false, message: expect.stringContaining('data.credential.id') });
      expect(await ask({ action: 'PASSKEY_REMOVE', data: { tokenHash, credentialId: '' } })).toMatchObject({ success: false, message: expect.stringContaining('data.credentialId') });
      expect(await ask({ action: 'PASSKEY_LOGIN', data: { flowHash: tokenHash, sessionTokenHash: tokenHash, credential: 'not an object' } })).toMatchObject({ success: false, message: expect.stringContaining('data.credential') });
      // Well-formed but naming nothing: refused, nothing done.
      expect(await ask({ action: 'PASSKEY_REGISTER_OPTIONS', data: { tokenHash } })).toEqual({ success: false });
      expect(await ask({ action: 'PASSKEY_REMOVE', data: { tokenHash, credentialId: 'abc' } })).toEqual({ success: false });
      const options = (await ask({ action: 'PASSKEY_LOGIN_OPTIONS', data: { flowHash: tokenHash } })) as { success: boolean; passkeyOptions: { rpId: string } };
      expect(options).toMatchObject({ success: true, passkeyOptions: { rpId: TEST_RP_ID } });
    } finally {
      await connection.close();
    }
  });
});
