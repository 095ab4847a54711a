import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { runAccounts } from '@gatehouse/back-end';
import { keyIdOf, parseMfaKey } from '../../services/back-end/src/second-factors/secret-box.js';
import { spawnService } from '../support/service-process.js';
import { FormClient } from '../support/form-client.js';
import { auditEvents, loggedInAs } from '../support/login-checks.js';
import { useStackWithDatabase } from '../support/stack.js';
import { newEmail } from '../support/test-ids.js';
import { codeAt, codeStep, enrolTotp, PASSWORD, passwordStep, TEST_MFA_KEY } from '../support/totp-client.js';

// Issue 20 §1 and §3: TOTP and recovery codes through real processes (a Back End, two Front Ends,
// PostgreSQL, RabbitMQ). Codes are computed for chosen times, so no test waits for a 30 s step.
const THRESHOLD = 5;
const tiers = useStackWithDatabase({}, { MFA_ENCRYPTION_KEY: TEST_MFA_KEY });
const browser = (url = tiers().stack.url) => new FormClient(url);
const STEP_MS = 30_000;

const events = (email: string) => auditEvents(tiers().db, email);

describe('TOTP', () => {
  it('enrols from the Account page, with the secret sealed at rest, and logs in with a code only after the password', async () => {
    const email = newEmail('totp');
    const { secret } = await enrolTotp(browser(), email);
    const [row] = await tiers().db.readWrite<{ secret_box: string; enabled: boolean }[]>`
      SELECT secret_box, enabled_at IS NOT NULL AS enabled FROM totp_credentials WHERE email = ${email}`;
    expect(row!.enabled).toBe(true);
    expect(row!.secret_box).not.toContain(secret);
    expect(row!.secret_box).toMatch(/^v1:[0-9a-f]{16}:/);

    const client = browser();
    await passwordStep(client, email);
    // Between the password and the code there is no session: no cookie, and no page that needs one.
    expect(client.cookie('session')).toBeUndefined();
    expect((await client.get('/secret')).status).toBe(303);
    expect((await client.get('/login/second-factor')).status).toBe(200);
    // The enrolment spent the current step's code; the next step's is still inside the window.
    expect((await codeStep(client, codeAt(secret, Date.now() + STEP_MS))).status).toBe(303);
    await loggedInAs(client, email);
    expect(await events(email)).toEqual(['register', 'email_verification_requested', 'totp_enrolment_started', 'totp_enabled', 'login_success', 'second_factor_success']);
  });

  it('accepts a code once: the same code is refused again, on this Front End and on another', async () => {
    const email = newEmail('totp');
    const { secret } = await enrolTotp(browser(), email);
    const code = codeAt(secret, Date.now() + STEP_MS);
    const first = browser();
    await passwordStep(first, email);
    expect((await codeStep(first, code)).status).toBe(303);

    const again = browser();
    await passwordStep(again, email);
    expect((await codeStep(again, code)).status).toBe(401);
    const other = await tiers().stack.addFrontEnd();
    const elsewhere = browser(other.url);
    await passwordStep(elsewhere, email);
    const refused = await codeStep(elsewhere, code);
    expect(refused.status).toBe(401);
    expect(refused.body).toContain('used already');
    expect(elsewhere.cookie('session')).toBeUndefined();
  });

  it('refuses codes from outside the ±1 step window', async () => {
    const email = newEmail('totp');
    const { secret } = await enrolTotp(browser(), email);
    const client = browser();
    await passwordStep(client, email);
    for (const offset of [-3 * STEP_MS, -2 * STEP_MS, 2 * STEP_MS, 3 * STEP_MS]) {
      expect((await codeStep(client, codeAt(secret, Date.now() + offset))).status).toBe(401);
    }
    // A malformed code is no attempt (not sent, not counted): 400, and the right one still works.
    expect((await codeStep(client, '12345')).status).toBe(400);
    expect((await codeStep(client, codeAt(secret, Date.now() + STEP_MS))).status).toBe(303);
  });

  it('takes each recovery code once instead of a code, and the Account page counts what is left', async () => {
    const email = newEmail('totp');
    const { recoveryCodes } = await enrolTotp(browser(), email);
    const client = browser();
    await passwordStep(client, email);
    expect((await codeStep(client, recoveryCodes[3]!.toLowerCase())).status).toBe(303);
    expect((await client.get('/account')).body).toMatch(/Recovery codes left: <strong>9<\/strong>/);
    expect((await client.submit('/logout', {})).status).toBe(303);
    await passwordStep(client, email);
    expect((await codeStep(client, recoveryCodes[3]!)).status).toBe(401);
    expect(await events(email)).toContain('recovery_code_used');
  });

  it('counts wrong codes towards the password lockout: after five the account locks and the pending login ends', async () => {
    const email = newEmail('totp');
    const { secret } = await enrolTotp(browser(), email);
    const client = browser();
    await passwordStep(client, email);
    const wrong = codeAt(secret, Date.now() - 10 * STEP_MS);
    for (let i = 1; i < THRESHOLD; i++) expect((await codeStep(client, wrong)).status).toBe(401);
    const locked = await codeStep(client, wrong);
    expect(locked.status).toBe(401);
    expect(locked.body).toContain('locked');
    expect(client.cookie('login-pending')).toBeUndefined();
    const [row] = await tiers().db.readWrite<{ failures: number; locked: boolean }[]>`
      SELECT failures, locked_until > now() AS locked FROM login_failures WHERE email = ${email}`;
    expect(row).toEqual({ failures: THRESHOLD, locked: true });
    // Locked: even the right password does not reach the code page.
    expect((await browser().submit('/login', { email, password: PASSWORD })).status).toBe(401);
    expect((await events(email)).filter((e) => e === 'second_factor_failure')).toHaveLength(THRESHOLD);
    expect(await events(email)).toContain('lockout');
  });

  it('makes the second-factor page useless without the password step, after five minutes, and after success', async () => {
    const email = newEmail('totp');
    const { secret } = await enrolTotp(browser(), email);
    const stranger = browser();
    expect((await stranger.get('/login/second-factor')).status).toBe(401);
    expect((await codeStep(stranger, codeAt(secret, Date.now() + STEP_MS))).status).toBe(401);
    stranger.setCookie('login-pending', 'A'.repeat(43));
    expect((await codeStep(stranger, codeAt(secret, Date.now() + STEP_MS))).status).toBe(401);
    expect(stranger.cookie('session')).toBeUndefined();

    const late = browser();
    await passwordStep(late, email);
    await tiers().db.readWrite`UPDATE pending_logins SET expires_at = now() - interval '1 second' WHERE email = ${email}`;
    const expired = await codeStep(late, codeAt(secret, Date.now() + STEP_MS));
    expect(expired.status).toBe(401);
    expect(expired.body).toContain('took too long');

    const done = browser();
    await passwordStep(done, email);
    const pending = done.cookie('login-pending')!;
    expect((await codeStep(done, codeAt(secret, Date.now() + STEP_MS))).status).toBe(303);
    const replay = browser();
    replay.setCookie('login-pending', pending);
    expect((await codeStep(replay, codeAt(secret, Date.now()))).status).toBe(401);
  });

  it('switches off only with the password and a current code; then the password alone logs in', async () => {
    const email = newEmail('totp');
    const client = browser();
    const { secret } = await enrolTotp(client, email);
    const off = (password: string, code: string) => client.submit('/account/totp/disable', { 'disable-password': password, 'disable-code': code }, '/account');
    expect((await off('wrong password', codeAt(secret, Date.now() + STEP_MS))).status).toBe(400);
    expect((await off(PASSWORD, codeAt(secret, Date.now() - 5 * STEP_MS))).status).toBe(400);
    const done = await off(PASSWORD, codeAt(secret, Date.now() + STEP_MS));
    expect(done.status).toBe(303);
    expect(done.location).toBe('/account?done=totp-off');
    const later = browser();
    expect((await later.submit('/login', { email, password: PASSWORD })).location).toBe('/');
    expect(await events(email)).toContain('totp_disabled');
  });

  it('regenerates recovery codes: the old set stops working', async () => {
    const email = newEmail('totp');
    const client = browser();
    const { recoveryCodes } = await enrolTotp(client, email);
    const fresh = await client.submit('/account/recovery-codes', {}, '/account');
    expect(fresh.status).toBe(200);
    const newCodes = [...fresh.body.matchAll(/<code>([A-Z2-9-]{19})<\/code>/g)].map((m) => m[1]!);
    expect(newCodes).toHaveLength(10);
    const login = browser();
    await passwordStep(login, email);
    expect((await codeStep(login, recoveryCodes[0]!)).status).toBe(401);
    expect((await codeStep(login, newCodes[0]!)).status).toBe(303);
  });
});

describe('password reset', () => {
  it('changes the password of a TOTP account but logs nobody in: a mailbox is not a second factor', async () => {
    const email = newEmail('totp');
    const { secret } = await enrolTotp(browser(), email);
    // A link as the Back End would mail it (the mail itself is password-reset.test.ts's business).
    const token = randomBytes(32).toString('base64url');
    await tiers().db.readWrite`INSERT INTO account_tokens (token_hash, purpose, email, expires_at)
      VALUES (${createHash('sha256').update(token).digest('hex')}, 'password_reset', ${email}, now() + interval '30 minutes')`;
    const client = browser();
    const done = await client.submit('/reset-password', { token, password: 'a brand new passphrase' }, `/reset-password?token=${token}`);
    expect(done.status).toBe(303);
    expect(done.location).toBe('/login?password-reset=1');
    expect(client.cookie('session')).toBeUndefined();
    expect((await client.get('/login?password-reset=1')).body).toContain('Log in with it and your second factor.');
    const page = await client.submit('/login', { email, password: 'a brand new passphrase' });
    expect(page.location).toBe('/login/second-factor');
    expect((await codeStep(client, codeAt(secret, Date.now() + STEP_MS))).status).toBe(303);
    await loggedInAs(client, email);
  });

  it('a verification link confirms the address of a TOTP account but logs nobody in', async () => {
    const email = newEmail('totp');
    await enrolTotp(browser(), email);
    const token = randomBytes(32).toString('base64url');
    await tiers().db.readWrite`INSERT INTO account_tokens (token_hash, purpose, email, expires_at)
      VALUES (${createHash('sha256').update(token).digest('hex')}, 'email_verification', ${email}, now() + interval '1 hour')`;
    const client = browser();
    const done = await client.submit('/verify-email', { token }, `/verify-email?token=${token}`);
    expect(done.status).toBe(303);
    expect(done.location).toBe('/login?verified=1');
    expect(client.cookie('session')).toBeUndefined();
    expect((await client.get('/secret')).status).toBe(303);
    const [row] = await tiers().db.readWrite<{ verified: boolean }[]>`SELECT email_verified_at IS NOT NULL AS verified FROM users WHERE email = ${email}`;
    expect(row!.verified).toBe(true);
  });
});

describe('SESSION_STORE=cookie', () => {
  it('says the code page needs the Back End, and a password alone does not log a TOTP account in', async () => {
    const email = newEmail('totp');
    await enrolTotp(browser(), email);
    const cookieMode = browser((await tiers().stack.addFrontEnd({ SESSION_STORE: 'cookie' })).url);
    const page = await cookieMode.get('/login/second-factor');
    expect(page.status).toBe(501);
    expect(page.body).toContain('SESSION_STORE=back-end');
    expect((await cookieMode.submit('/login', { email, password: PASSWORD })).status).toBe(401);
    expect((await cookieMode.get('/secret')).status).toBe(303);
  });
});

describe('operating second factors', () => {
  it('refuses to start a Back End that cannot open the stored secrets; rotates the key; resets a user who lost every factor', async () => {
    const email = newEmail('totp');
    await enrolTotp(browser(), email);
    const { databaseUrl } = tiers().stack;
    for (const env of [{}, { MFA_ENCRYPTION_KEY: 'c3'.repeat(32) }] as Record<string, string>[]) {
      const doomed = spawnService('services/back-end/src/main.ts', { AMQP_URL: inject('amqpUrl'), DATABASE_URL: databaseUrl, REQUEST_QUEUE: `request.${randomUUID()}`, ...env });
      expect(await doomed.exited).not.toBe(0);
      expect(doomed.output()).toMatch(/MFA_ENCRYPTION_KEY (is not set|\(key [0-9a-f]{16}\) cannot open)/);
    }

    // Rotation there and back: the running Back End holds the first key.
    const other = 'b2'.repeat(32);
    expect(await runAccounts(['rotate-mfa-key'], databaseUrl, { MFA_ENCRYPTION_KEY: other, MFA_ENCRYPTION_KEY_PREVIOUS: TEST_MFA_KEY })).toBe(0);
    const keyIds = async () => (await tiers().db.readWrite<{ key_id: string }[]>`SELECT DISTINCT key_id FROM totp_credentials`).map((r) => r.key_id);
    expect(await keyIds()).toEqual([keyIdOf(parseMfaKey(other))]);
    expect(await runAccounts(['rotate-mfa-key'], databaseUrl, { MFA_ENCRYPTION_KEY: TEST_MFA_KEY, MFA_ENCRYPTION_KEY_PREVIOUS: other })).toBe(0);
    expect(await keyIds()).toEqual([keyIdOf(parseMfaKey(TEST_MFA_KEY))]);

    expect(await runAccounts(['reset-mfa', '--email', email], databaseUrl)).toBe(0);
    expect((await browser().submit('/login', { email, password: PASSWORD })).location).toBe('/');
    expect(await events(email)).toContain('second_factor_reset');
  });
});
