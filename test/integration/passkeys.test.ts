import { describe, expect, inject, it } from 'vitest';
import { connectAmqp } from '@gatehouse/messaging';
import { FormClient } from '../support/form-client.js';
import { auditEvents, loggedInAs } from '../support/login-checks.js';
import {
  addPasskey, ceremonyOptions, newAuthenticator, PASSKEY_BACK_END_ENV, passkeyStep, passwordless, postAnswer, registerWithPasskey, TEST_RP_ID,
} from '../support/passkey-client.js';
import { rawRequest } from '../support/raw-amqp.js';
import { testLogger } from '../support/silent-logger.js';
import { useStackWithDatabase } from '../support/stack.js';
import { newEmail } from '../support/test-ids.js';
import { enrolTotp, PASSWORD, passwordStep, TEST_MFA_KEY } from '../support/totp-client.js';

// Issue 20 §2 and §3: passkeys through real processes (a Back End, a Front End, PostgreSQL,
// RabbitMQ), answered by a software authenticator (test/support/soft-authenticator.ts).
const THRESHOLD = 5;
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
    const stolen = await postAnswer(client, '/account/passkeys', '/account', newAuthenticator().register(options), { 'passkey-name': 'Stolen' });
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
    const unnamed = await postAnswer(client, '/account/passkeys', '/account', authenticator.register(options), { 'passkey-name': '  ' });
    expect(unnamed.status).toBe(400);
    expect(unnamed.body).toContain('Give the passkey a name');
    const garbled = await client.submit('/account/passkeys', { 'passkey-name': 'Key', credential: '{"id":' }, '/account');
    expect(garbled.status).toBe(400);
    expect(garbled.body).toContain('missing or malformed');
    const stranger = browser();
    expect((await stranger.post('/account/passkeys/options', { _csrf: await stranger.formToken('/login') })).status).toBe(303);
  });
});

describe('a passkey as the second factor', () => {
  it('follows the password for an account with only a passkey: no session before it, and it is used once', async () => {
    const email = newEmail('passkey');
    const authenticator = await registerWithPasskey(browser(), email);
    const client = browser();
    await passwordStep(client, email);
    expect(client.cookie('session')).toBeUndefined();
    const page = await client.get('/login/second-factor');
    expect(page.body).toContain('Use a passkey');
    expect(page.body).not.toContain('name="code"'); // no TOTP: no code field
    const done = await passkeyStep(client, (options) => {
      expect(options.allowCredentials?.map((c) => c.id)).toEqual([authenticator.lastId]);
      return authenticator.assert(options);
    });
    expect(done.status).toBe(303);
    await loggedInAs(client, email);
    const [row] = await tiers().db.readWrite<{ counter: string; used: boolean }[]>`
      SELECT counter::text, last_used_at IS NOT NULL AS used FROM webauthn_credentials WHERE email = ${email}`;
    expect(row).toEqual({ counter: '1', used: true });
    expect((await events(email)).slice(-2)).toEqual(['login_success', 'passkey_used']);
  });

  it('is offered next to the code for an account with TOTP too', async () => {
    const client = browser();
    const email = newEmail('passkey');
    await enrolTotp(client, email);
    const authenticator = newAuthenticator();
    expect((await addPasskey(client, authenticator)).status).toBe(303);
    const login = browser();
    await passwordStep(login, email);
    const page = await login.get('/login/second-factor');
    expect(page.body).toContain('name="code"');
    expect(page.body).toContain('Use a passkey');
    expect((await passkeyStep(login, (options) => authenticator.assert(options))).status).toBe(303);
    await loggedInAs(login, email);
  });

  it('is unusable without the password step, with a forged pending login, and with another browser pending login', async () => {
    const email = newEmail('passkey');
    const authenticator = await registerWithPasskey(browser(), email);
    const stranger = browser();
    const refused = await ceremonyOptions(stranger, '/login/second-factor/passkey/options', '/login');
    expect(refused.status).toBe(401);
    expect(refused.error).toContain('took too long');
    stranger.setCookie('login-pending', 'A'.repeat(43));
    expect((await ceremonyOptions(stranger, '/login/second-factor/passkey/options', '/login')).status).toBe(401);
    // Options of a real pending login, answered from a browser without it.
    const real = browser();
    await passwordStep(real, email);
    const { options } = await ceremonyOptions(real, '/login/second-factor/passkey/options', '/login/second-factor');
    const answer = authenticator.assert(options);
    const elsewhere = await postAnswer(stranger, '/login/second-factor/passkey', '/login', answer);
    expect(elsewhere.status).toBe(401);
    expect(stranger.cookie('session')).toBeUndefined();
  });
});

describe('signing in with a passkey alone', () => {
  it('creates a session from a discoverable passkey, no email typed, with user verification required', async () => {
    const email = newEmail('passkey');
    const authenticator = await registerWithPasskey(browser(), email);
    const client = browser();
    const login = await client.get('/login');
    expect(login.body).toContain('Sign in with a passkey');
    expect(login.body).toContain('data-options="/login/passkey/options"');
    const done = await passwordless(client, (options) => {
      expect(options.allowCredentials).toEqual([]);
      expect(options.userVerification).toBe('required');
      return authenticator.assert(options);
    });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/');
    await loggedInAs(client, email);
    expect((await events(email)).slice(-2)).toEqual(['login_success', 'passkey_login']);
    // Without user verification the passkey is only one factor: refused alone.
    const unverified = await passwordless(browser(), (options) => authenticator.assert(options, { userVerified: false }));
    expect(unverified.status).toBe(401);
  });

  it('refuses a replayed answer, a reused challenge and an expired one', async () => {
    const email = newEmail('passkey');
    const authenticator = await registerWithPasskey(browser(), email);
    const client = browser();
    const { options } = await ceremonyOptions(client, '/login/passkey/options', '/login');
    const flow = client.cookie('passkey-login')!;
    const answer = authenticator.assert(options);
    expect((await postAnswer(client, '/login/passkey', '/login', answer)).status).toBe(303);
    const replay = browser();
    replay.setCookie('passkey-login', flow);
    const replayed = await postAnswer(replay, '/login/passkey', '/login', answer);
    expect(replayed.status).toBe(401);
    expect(replayed.body).toContain('took too long, or was used already');
    // The same challenge answered again with a fresh signature: spent all the same.
    replay.setCookie('passkey-login', flow);
    expect((await postAnswer(replay, '/login/passkey', '/login', authenticator.assert(options))).status).toBe(401);
    expect(replay.cookie('session')).toBeUndefined();

    const late = browser();
    const stale = await ceremonyOptions(late, '/login/passkey/options', '/login');
    await tiers().db.readWrite`UPDATE webauthn_challenges SET expires_at = now() - interval '1 second' WHERE purpose = 'passwordless'`;
    const expired = await postAnswer(late, '/login/passkey', '/login', authenticator.assert(stale.options));
    expect(expired.status).toBe(401);
    expect(expired.body).toContain('took too long');
    expect(late.cookie('session')).toBeUndefined();
  });

  it('refuses a signature counter that did not grow (a cloned authenticator), a wrong origin or RP ID, a forged signature, a changed backup flag and another user handle', async () => {
    const email = newEmail('passkey');
    const authenticator = await registerWithPasskey(browser(), email);
    expect((await passwordless(browser(), (o) => authenticator.assert(o, { counter: 7 }))).status).toBe(303);
    // Each answer is right but for one thing; four, so the account does not lock on the way.
    const tampers = [{ counter: 7 }, { counter: 3 }, { origin: 'https://evil.example', counter: 8 }, { rpId: 'evil.example', counter: 9 }];
    const more = [{ forgeSignature: true, counter: 10 }, { backup: { eligible: true, state: true }, counter: 11 }, { origin: 'http://gatehouse.test', counter: 12 }, { userHandle: 'c29tZW9uZS1lbHNl', counter: 13 }];
    for (const tamper of [...tampers, ...more]) {
      if (tamper === more[0]) expect((await passwordless(browser(), (o) => authenticator.assert(o, { counter: 9 }))).status).toBe(303);
      const client = browser();
      const refused = await passwordless(client, (o) => authenticator.assert(o, tamper));
      expect(refused.status, JSON.stringify(tamper)).toBe(401);
      expect(client.cookie('session')).toBeUndefined();
    }
    const [row] = await tiers().db.readWrite<{ counter: string; backup_eligible: boolean }[]>`SELECT counter::text, backup_eligible FROM webauthn_credentials WHERE email = ${email}`;
    expect(row).toEqual({ counter: '9', backup_eligible: false });
    expect((await events(email)).filter((e) => e === 'passkey_failure')).toHaveLength(8);
    // Each was refused for the reason it was built for (the Back End logs why; the user only learns "not accepted").
    const reasons = tiers().stack.logs();
    for (const reason of ['counter value 7 was lower than expected 7', 'counter value 3 was lower than expected 7', 'Unexpected RP ID hash', 'assertion not verified', 'backup eligibility changed since registration']) {
      expect(reasons).toContain(reason);
    }
    // Those failures counted, and a right answer clears them.
    expect((await passwordless(browser(), (o) => authenticator.assert(o, { counter: 14 }))).status).toBe(303);
    expect((await tiers().db.readWrite`SELECT 1 FROM login_failures WHERE email = ${email} AND failures > 0`)).toHaveLength(0);
  });

  it('counts failed assertions towards the lockout: after five the account is locked, even for a right passkey', async () => {
    const email = newEmail('passkey');
    const authenticator = await registerWithPasskey(browser(), email);
    for (let i = 1; i <= THRESHOLD; i++) {
      const refused = await passwordless(browser(), (o) => authenticator.assert(o, { forgeSignature: true }));
      expect(refused.status).toBe(401);
      if (i === THRESHOLD) expect(refused.body).toContain('locked');
    }
    const [row] = await tiers().db.readWrite<{ failures: number; locked: boolean }[]>`
      SELECT failures, locked_until > now() AS locked FROM login_failures WHERE email = ${email}`;
    expect(row).toEqual({ failures: THRESHOLD, locked: true });
    const right = await passwordless(browser(), (o) => authenticator.assert(o));
    expect(right.status).toBe(401);
    expect(right.body).toContain('locked');
    expect(await events(email)).toContain('lockout');
  });

  it('answers a malformed answer with a 400 page, counting nothing', async () => {
    const client = browser();
    await ceremonyOptions(client, '/login/passkey/options', '/login');
    for (const credential of ['', 'not json', '{"id":"x"}', JSON.stringify({ id: 'a b', rawId: 'a', type: 'public-key', response: {} })]) {
      const page = await client.submit('/login/passkey', { credential }, '/login');
      expect(page.status).toBe(400);
      expect(page.body).toContain('missing or malformed');
    }
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
