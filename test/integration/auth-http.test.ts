import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, recentEvents, type Database } from '@gatehouse/database';
import { run } from '../harness/process-utils.js';
import { FormClient } from '../support/form-client.js';
import { startStack, type Stack } from '../support/stack.js';

// Issue 3 against running services: a real Back End and Front End process, RabbitMQ and PostgreSQL.
let stack: Stack;
let db: Database;
let n = 0;
const newEmail = () => `http-${Date.now()}-${n++}@example.com`;
const PASSWORD = 'Tr0ub4dor & horse';
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const browser = (url = stack.url) => new FormClient(url, { 'user-agent': 'gatehouse-test-agent' });

async function registered(client = browser(), email = newEmail()) {
  const res = await client.submit('/register', { email, password: PASSWORD });
  expect(res.status, res.body.slice(0, 300)).toBe(303);
  return { client, email };
}

beforeAll(async () => {
  stack = await startStack({ LOG_LEVEL: 'trace' }, { LOG_LEVEL: 'trace' });
  db = connectDatabase({ url: stack.databaseUrl });
});

afterAll(async () => {
  await db?.close();
  await stack?.stop();
});

describe('passwords', () => {
  it.each([
    ['shorter than 8 characters', 'Ab1!xyz', /at least 8/i],
    ['longer than 128 characters', 'x'.repeat(129), /at most 128/i],
    ['one of the 10,000 most common', 'sunshine1', /common/i],
    ['containing the email local part', 'my-alice-smith-password', /email/i],
  ])('refuses a password %s, next to the field', async (_case, password, message) => {
    const res = await browser().submit('/register', { email: 'alice-smith@example.com', password });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(message);
  });

  it('stores an argon2id PHC string with the OWASP parameters', async () => {
    const { email } = await registered();
    const [row] = await db.readWrite<{ hash: string }[]>`SELECT hash FROM users WHERE email = ${email}`;
    expect(row!.hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
  });

  it('normalises Unicode (NFKC): a full-width password logs in with its ASCII form', async () => {
    const email = newEmail();
    const fullWidth = 'Ｗｉｄｅ　ｐａｓｓｗｏｒｄ　９';
    expect((await browser().submit('/register', { email, password: fullWidth })).status).toBe(303);
    expect(await browser().submit('/login', { email, password: 'Wide password 9' })).toMatchObject({ status: 303 });
  });

  it('upgrades the stored hash at the next login when the parameters change', async () => {
    const { email } = await registered();
    const stronger = await stack.addFrontEnd({ ARGON2_TIME_COST: '3' });
    expect((await browser(stronger.url).submit('/login', { email, password: PASSWORD })).status).toBe(303);
    const [row] = await db.readWrite<{ hash: string }[]>`SELECT hash FROM users WHERE email = ${email}`;
    expect(row!.hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=3,p=1\$/);
    expect((await browser().submit('/login', { email, password: PASSWORD })).status).toBe(303);
  });
});

describe('sessions', () => {
  it('puts a random id of at least 128 bits in an HttpOnly, SameSite=Lax cookie and stores only its hash', async () => {
    const client = browser();
    const res = await client.submit('/register', { email: newEmail(), password: PASSWORD });
    const line = res.setCookies.find((c) => c.startsWith('session='))!;
    expect(line).toMatch(/HttpOnly/i);
    expect(line).toMatch(/SameSite=Lax/i);
    expect(line).not.toMatch(/;\s*Secure/i);
    const id = client.cookie('session')!;
    expect(Buffer.from(id, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(await db.readWrite`SELECT 1 FROM sessions WHERE token_hash = ${sha256(id)}`).toHaveLength(1);
    const dump = JSON.stringify(await db.readWrite`SELECT * FROM sessions`);
    expect(dump).not.toContain(id);
  });

  it('issues a new id at login, so a planted id is never adopted', async () => {
    const { email } = await registered();
    const victim = browser();
    victim.setCookie('session', 'planted-by-an-attacker-AAAAAAAAAAAAAAAAAAAAA');
    expect((await victim.submit('/login', { email, password: PASSWORD })).status).toBe(303);
    expect(victim.cookie('session')).not.toBe('planted-by-an-attacker-AAAAAAAAAAAAAAAAAAAAA');
    expect((await victim.get('/secret')).status).toBe(200);
  });

  it('revokes the session on the server at logout: a copy of the old cookie no longer works', async () => {
    const { client } = await registered();
    const stolen = client.cookie('session')!;
    expect((await client.submit('/logout', {})).status).toBe(303);
    const thief = browser();
    thief.setCookie('session', stolen);
    expect(await thief.get('/secret')).toMatchObject({ status: 303, location: '/login?next=%2Fsecret' });
  });

  it('logs out everywhere', async () => {
    const { client: phone, email } = await registered();
    const laptop = browser();
    expect((await laptop.submit('/login', { email, password: PASSWORD })).status).toBe(303);
    const everywhere = /action="(\/logout[^"]*everywhere[^"]*)"/i.exec((await phone.get('/secret')).body)?.[1];
    expect(everywhere, 'the secret page offers "log out everywhere"').toBeDefined();
    expect((await phone.submit(everywhere!, {}, '/secret')).status).toBe(303);
    expect(await laptop.get('/secret')).toMatchObject({ status: 303, location: '/login?next=%2Fsecret' });
    expect(await phone.get('/secret')).toMatchObject({ status: 303, location: '/login?next=%2Fsecret' });
  });

  it('ends a session idle for longer than 30 minutes', async () => {
    const { client } = await registered();
    const tokenHash = sha256(client.cookie('session')!);
    await db.readWrite`UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE token_hash = ${tokenHash}`;
    expect(await client.get('/secret')).toMatchObject({ status: 303, location: '/login?next=%2Fsecret' });
  });
});

describe('CSRF', () => {
  it('answers a POST without a valid token with 403 and a clear page', async () => {
    const { email } = await registered();
    const res = await browser().post('/login', { email, password: PASSWORD });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.body).toMatch(/reload the page/i);
    const forged = await browser().post('/login', { email, password: PASSWORD, _csrf: 'forged-token' });
    expect(forged.status).toBe(403);
  });
});

describe('brute force', () => {
  it('limits login attempts per client IP with 429 and a clear page', async () => {
    const strict = await stack.addFrontEnd({ RATE_LIMIT_PER_MINUTE: '3' });
    // The login budget is counted in PostgreSQL for every Front End: start this IP's minute afresh.
    await db.readWrite`DELETE FROM login_ip_attempts`;
    const client = browser(strict.url);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await client.submit('/login', { email: 'x@example.com', password: 'wrong password' })).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const limited = await client.submit('/register', { email: 'x@example.com', password: PASSWORD });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/text\/html/);
    expect(limited.body).toMatch(/too many/i);
  });

  it('locks an account after 5 failures in a row, counted across Front End replicas, with the usual message', async () => {
    const { email } = await registered();
    const other = await stack.addFrontEnd();
    for (let i = 0; i < 5; i++) {
      const res = await browser(i % 2 ? other.url : stack.url).submit('/login', { email, password: `wrong password ${i}` });
      expect(res.status).toBe(401);
    }
    const locked = await browser().submit('/login', { email, password: PASSWORD });
    expect(locked.status).toBe(401);
    expect(locked.body).toContain('Invalid email or password.');
    const events = (await recentEvents(db.readWrite, { email, limit: 3 })).map((e) => e.event);
    expect(events).toContain('lockout');
  });

  it('resets the count after a successful login', async () => {
    const { email } = await registered();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++) expect((await browser().submit('/login', { email, password: 'wrong password!' })).status).toBe(401);
      expect((await browser().submit('/login', { email, password: PASSWORD })).status).toBe(303);
    }
  });
});

// Enumeration by timing: an unknown email costs the same argon2 verify as a wrong password
// (services/front-end/test/auth.test.ts checks the work itself; a timed test here was flaky under load).

describe('audit log and logs', () => {
  it('records each kind of event with time, email, IP and user agent, and no secret reaches logs or audit rows', async () => {
    const { client, email } = await registered();
    const hash = (await db.readWrite<{ hash: string }[]>`SELECT hash FROM users WHERE email = ${email}`)[0]!.hash;
    const firstId = client.cookie('session')!;
    await client.submit('/logout', {});
    await client.submit('/login', { email, password: 'wrong password' });
    await client.submit('/login', { email, password: PASSWORD });
    const secondId = client.cookie('session')!;
    const everywhere = /action="(\/logout[^"]*everywhere[^"]*)"/i.exec((await client.get('/secret')).body)![1]!;
    await client.submit(everywhere, {}, '/secret');

    const rows = await recentEvents(db.readWrite, { email, limit: 10 });
    expect(rows.map((r) => r.event)).toEqual(['logout_everywhere', 'login_success', 'login_failure', 'logout', 'email_verification_requested', 'register']);
    for (const row of rows) {
      expect(row).toMatchObject({ email, ip: '127.0.0.1', user_agent: 'gatehouse-test-agent' });
      expect(row.at).toBeInstanceOf(Date);
    }

    const secrets = [PASSWORD, encodeURIComponent(PASSWORD), hash, hash.split('$').pop()!, firstId, secondId, sha256(firstId), sha256(secondId)];
    const logs = stack.logs();
    expect(logs.length).toBeGreaterThan(1000);
    const audit = JSON.stringify(await db.readWrite`SELECT * FROM auth_events`);
    for (const secret of secrets) {
      expect(logs).not.toContain(secret);
      expect(audit).not.toContain(secret);
    }
  });
});

describe('headers and limits', () => {
  it('sends a strict Content-Security-Policy and no HSTS over plain HTTP', async () => {
    const res = await browser().get('/login');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).not.toMatch(/unsafe-inline|https?:\/\//);
    expect(res.headers.get('strict-transport-security')).toBeNull();
  });

  it('refuses oversized bodies, headers, emails and passwords with 4xx', async () => {
    const client = browser();
    expect((await client.post('/login', { email: 'a@b.io', password: 'x'.repeat(20_000) })).status).toBe(413);
    const huge = new FormClient(stack.url, { 'x-padding': 'x'.repeat(20_000) });
    expect((await huge.get('/')).status).toBe(431);
    const longEmail = await client.submit('/register', { email: `${'a'.repeat(250)}@b.io`, password: PASSWORD });
    expect(longEmail.status).toBe(400);
    expect(longEmail.body).toMatch(/254/);
  });
});

describe('TLS', () => {
  it('serves HTTPS itself, with HSTS and a __Host- prefixed Secure cookie', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-tls-'));
    try {
      await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]);
      const tls = await stack.addFrontEnd({ TLS_CERT_FILE: join(dir, 'cert.pem'), TLS_KEY_FILE: join(dir, 'key.pem') });
      expect(tls.url).toMatch(/^https:/);
      const client = browser(tls.url);
      const res = await client.submit('/register', { email: newEmail(), password: PASSWORD });
      expect(res.status).toBe(303);
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d{7,}/);
      const line = res.setCookies.find((c) => c.startsWith('__Host-session='))!;
      expect(line).toMatch(/;\s*Secure/i);
      expect(line).toMatch(/;\s*Path=\//i);
      expect(line).not.toMatch(/Domain=/i);
      expect((await client.get('/secret')).status).toBe(200);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
