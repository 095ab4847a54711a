import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@gatehouse/database';
import type { AmqpRpcClient } from '@gatehouse/messaging';
import { startBackEndFixture, type BackEndFixture } from '../support/back-end-fixture.js';
import { newEmail, newTokenHash } from '../support/test-ids.js';

// The "standby" is a database that never catches up: whatever it holds, it holds for ever,
// like a standby whose replication has stalled.
let fixture: BackEndFixture;
let primary: Database;
let standby: Database;
let rpc: AmqpRpcClient;


/** Copies rows from the primary to the standby, as replication would have before it stalled. */
async function replicate(table: 'users' | 'sessions' | 'login_failures', email: string): Promise<void> {
  const rows = await primary.readWrite`SELECT * FROM ${primary.readWrite(table)} WHERE lower(email) = ${email}`;
  await standby.readWrite`INSERT INTO ${standby.readWrite(table)} ${standby.readWrite(rows)}`;
}

beforeAll(async () => {
  fixture = await startBackEndFixture('read-where-written', { laggingStandby: true });
  ({ primary, rpc } = fixture);
  standby = fixture.standby!;
});

afterAll(() => fixture?.stop());

describe('auth state is read where it was written', () => {
  it('does not find a session revoked on the primary, though the standby still holds it live', async () => {
    const email = newEmail();
    const tokenHash = newTokenHash();
    await rpc.call({ action: 'SESSION_CREATE', data: { email, tokenHash } });
    await replicate('sessions', email);
    expect(await rpc.call({ action: 'SESSION_REVOKE', data: { tokenHash } })).toEqual({ success: true });

    expect(await standby.readWrite`SELECT 1 FROM sessions WHERE token_hash = ${tokenHash} AND revoked_at IS NULL`).toHaveLength(1);
    expect(await rpc.call({ action: 'SESSION_GET', data: { tokenHash } })).toEqual({ success: false });
  });

  it('reports a lock set on the primary alone, with the hash from the standby', async () => {
    const email = newEmail();
    await rpc.call({ action: 'REGISTER', data: { email, hash: 'h' } });
    await replicate('users', email);
    await standby.readWrite`UPDATE users SET hash = 'from-standby' WHERE email = ${email}`;
    let fifth = {} as { lockedUntil?: string };
    for (let i = 0; i < 5; i++) fifth = await rpc.call({ action: 'LOGIN_FAILED', data: { email } });
    expect(fifth.lockedUntil).toBeDefined();

    expect(await standby.readWrite`SELECT 1 FROM login_failures WHERE email = ${email}`).toHaveLength(0);
    expect(await rpc.call({ action: 'GETHASH', data: { email } })).toEqual({
      success: true,
      hash: 'from-standby',
      lockedUntil: fifth.lockedUntil,
    });
  });
});

describe('hashes may come from a standby', () => {
  it('asks the primary when the standby errors', async () => {
    const email = newEmail();
    await rpc.call({ action: 'REGISTER', data: { email, hash: 'from-primary' } });
    const name = new URL(fixture.standbyUrl!).pathname.slice(1);
    // The standby goes down: it refuses new connections and drops the ones it has.
    await primary.readWrite`ALTER DATABASE ${primary.readWrite(name)} ALLOW_CONNECTIONS false`;
    try {
      await primary.readWrite`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${name}`;
      const probe = postgres(fixture.standbyUrl!, { max: 1, onnotice: () => undefined });
      await expect(probe`SELECT 1`.finally(() => probe.end())).rejects.toThrow(/not currently accepting connections/);
      expect(await rpc.call({ action: 'GETHASH', data: { email } })).toEqual({ success: true, hash: 'from-primary' });
    } finally {
      await primary.readWrite`ALTER DATABASE ${primary.readWrite(name)} ALLOW_CONNECTIONS true`;
    }
  });
});
