import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormClient } from '../support/form-client.js';
import { startNpmStart, type NpmStart } from '../support/npm-start.js';
import { SOURCE_CONDITION, spawnProcess, TSX } from '../support/service-process.js';
import { enrolTotp, PASSWORD } from '../support/totp-client.js';

// Issue 10 §2: `npm run audit` reads npm start's embedded database, running or not; issue 20:
// so does `npm run accounts`, the operator's reset of a user's lost second factors.
const AUDIT = 'services/all-in-one/src/audit-cli.ts';
const ACCOUNTS = 'services/all-in-one/src/accounts-cli.ts';
const email = `audit-${Date.now()}@example.com`;
let gatehouse: NpmStart;

async function command(script: string, args: string[]): Promise<{ code: number | null; output: string }> {
  const run = spawnProcess(TSX, [SOURCE_CONDITION, script, ...args], {});
  return { code: await run.exited, output: run.output() };
}
const audit = (...args: string[]) => command(AUDIT, args);
const accounts = (...args: string[]) => command(ACCOUNTS, args);

/** npm start in a fresh DATA_DIR, with `email` registered. */
async function startWithUser(): Promise<NpmStart> {
  const started = await startNpmStart('services/all-in-one/src/main.ts');
  expect((await new FormClient(started.url).submit('/register', { email, password: 'audit embedded password' })).status).toBe(303);
  return started;
}

beforeAll(async () => {
  gatehouse = await startWithUser();
});

afterAll(async () => {
  await gatehouse?.stop();
});

describe('npm run audit on the embedded database', () => {
  it('asks the running npm start, which keeps serving', async () => {
    const { code, output } = await audit('--data-dir', gatehouse.dataDir, '--email', email);
    expect(code, output).toBe(0);
    expect(output).toMatch(new RegExp(`register\\s+${email}`));
    expect((await new FormClient(gatehouse.url).get('/login')).status).toBe(200);
  });

  it('opens the database itself once npm start has stopped, and leaves the folder unlocked', async () => {
    // Its own npm start to stop: the shared one keeps serving the tests that run after this one.
    const stopped = await startWithUser();
    try {
      expect(await stopped.process.stop('SIGTERM')).toBe(0);
      const { code, output } = await audit(`--data-dir=${stopped.dataDir}`, '--email', email, '--json');
      expect(code, output).toBe(0);
      // Newest first: the verification link registration asked for (EMAIL_VERIFICATION=optional), then the registration.
      expect(JSON.parse(output.trim().split('\n').at(-1)!)).toEqual([
        expect.objectContaining({ event: 'email_verification_requested', email }),
        expect.objectContaining({ event: 'register', email }),
      ]);
      expect((await audit('--data-dir', stopped.dataDir, '--limit', '1')).code).toBe(0); // no stale lock left
    } finally {
      await stopped.stop();
    }
  });

  it('says what it needs when the folder holds no database, and refuses bad arguments', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'gatehouse-audit-empty-'));
    try {
      const none = await audit('--data-dir', empty);
      expect(none.code).toBe(1);
      expect(none.output).toContain('holds no embedded database: start Gatehouse with npm start first, or set DATABASE_URL');
      const bad = await audit('--data-dir', gatehouse.dataDir, '--limit', 'lots');
      expect(bad.code).toBe(2);
      expect(bad.output).toContain('--limit must be a whole number');
      expect((await audit('--data-dir')).code).toBe(2);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});

describe('npm run accounts on the embedded database', () => {
  it('reset-mfa switches a user\'s second factors off through the running npm start, audited; the password alone then logs in', async () => {
    const totpUser = `accounts-${Date.now()}@example.com`;
    await enrolTotp(new FormClient(gatehouse.url), totpUser);
    const before = await new FormClient(gatehouse.url).submit('/login', { email: totpUser, password: PASSWORD });
    expect(before.location).toBe('/login/second-factor');

    const reset = await accounts('--data-dir', gatehouse.dataDir, 'reset-mfa', '--email', totpUser);
    expect(reset.code, reset.output).toBe(0);
    expect(reset.output).toContain(`Second factors of ${totpUser} switched off (audited).`);
    const client = new FormClient(gatehouse.url);
    const after = await client.submit('/login', { email: totpUser, password: PASSWORD });
    expect([after.status, after.location]).toEqual([303, '/']); // logged in: no code page
    expect((await client.get('/secret')).status).toBe(200);
    expect((await audit('--data-dir', gatehouse.dataDir, '--email', totpUser, '--limit', '3')).output).toMatch(/second_factor_reset/);
  });

  it('refuses a missing address, an unknown option and an unknown command with its usage and exit code 2', async () => {
    for (const args of [['reset-mfa'], ['reset-mfa', '--emial', 'a@example.com'], ['frobnicate']]) {
      const result = await accounts('--data-dir', gatehouse.dataDir, ...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.output).toContain('Usage: npm run accounts -- <command>');
      expect(result.output).toContain('--data-dir <folder>');
    }
  });
});
