import { describe, expect, it } from 'vitest';
import { FormClient } from '../support/form-client.js';
import { auditEvents, loggedInAs } from '../support/login-checks.js';
import {
  addPasskey, ceremonyOptions, newAuthenticator, PASSKEY_BACK_END_ENV, passkeyStep, passwordless, postAnswer, registerWithPasskey,
} from '../support/passkey-client.js';
import { useStackWithDatabase } from '../support/stack.js';
import { newEmail } from '../support/test-ids.js';
import { enrolTotp, passwordStep, TEST_MFA_KEY } from '../support/totp-client.js';

// Issue 20 §2 and §3: logging in with a passkey, after the password and alone, through real
// processes (a Back End, a Front End, PostgreSQL, RabbitMQ), answered by a software authenticator
// (test/support/soft-authenticator.ts). Adding and removing them: passkeys.test.ts.
const THRESHOLD = 5;
const tiers = useStackWithDatabase({}, { ...PASSKEY_BACK_END_ENV, MFA_ENCRYPTION_KEY: TEST_MFA_KEY });
const browser = () => new FormClient(tiers().stack.url);

const events = (email: string) => auditEvents(tiers().db, email);

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

  it('counts a failed passkey at the second step like a wrong code, shows the code page again, and then takes a right one', async () => {
    const email = newEmail('passkey');
    const authenticator = await registerWithPasskey(browser(), email);
    const client = browser();
    await passwordStep(client, email);
    const wrong = await passkeyStep(client, (options) => authenticator.assert(options, { forgeSignature: true }));
    expect(wrong.status).toBe(401);
    expect(wrong.body).toContain('That passkey was not accepted');
    expect(wrong.body).toContain('Use a passkey');
    const [row] = await tiers().db.readWrite<{ failures: number }[]>`SELECT failures FROM login_failures WHERE email = ${email}`;
    expect(row!.failures).toBe(1);
    expect((await passkeyStep(client, (options) => authenticator.assert(options))).status).toBe(303);
    expect(await events(email)).toEqual(expect.arrayContaining(['passkey_failure', 'passkey_used']));
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


describe('signing in with a passkey alone where addresses must be confirmed (EMAIL_VERIFICATION=required)', () => {
  it('starts no session for an unconfirmed address, shows the page a right password gets, and logs in once it is confirmed', async () => {
    // The passkey was added while the site was "optional" (the first Front End); this one requires confirmed addresses.
    const email = newEmail('passkey');
    const authenticator = await registerWithPasskey(browser(), email);
    const strict = await tiers().stack.addFrontEnd({ EMAIL_VERIFICATION: 'required' });
    const client = new FormClient(strict.url);
    const refused = await passwordless(client, (options) => authenticator.assert(options));
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('Confirm your email address before you log in');
    expect(client.cookie('session')).toBeUndefined();
    const [sessions] = await tiers().db.readWrite<{ n: number }[]>`SELECT count(*)::int AS n FROM sessions WHERE email = ${email}`;
    // One from registering on the first Front End, none from the refused passkey.
    expect(sessions!.n).toBe(1);
    expect(await events(email)).not.toContain('passkey_login');

    await tiers().db.readWrite`UPDATE users SET email_verified_at = now() WHERE email = ${email}`;
    const done = await passwordless(client, (options) => authenticator.assert(options));
    expect(done.status).toBe(303);
    await loggedInAs(client, email);
  });
});
