import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackEndFixture, type BackEndFixture } from '../support/back-end-fixture.js';
import { rawRequest } from '../support/raw-amqp.js';
import { newEmail as newUserEmail } from '../support/test-ids.js';

/** Issue 7, section 3: a message id is an idempotency key only together with the action and data. */

let fixture: BackEndFixture;

beforeAll(async () => {
  fixture = await startBackEndFixture('idempotency-scope-test');
});
afterAll(() => fixture?.stop());

const newEmail = () => newUserEmail('scope');
const send = (messageId: string, request: unknown) =>
  rawRequest(fixture.connection, fixture.queue, Buffer.from(JSON.stringify(request)), { messageId }, 15_000);
const getHash = (email: string) => fixture.rpc.call({ action: 'GETHASH', data: { email } });

describe('idempotency keys are scoped to the request', () => {
  it('runs a second REGISTER for another email sent with the first one\'s message id', async () => {
    const [first, second, id] = [newEmail(), newEmail(), `reused-${randomUUID()}`];
    expect(await send(id, { action: 'REGISTER', data: { email: first, hash: 'h1' } })).toEqual({ success: true });
    expect(await send(id, { action: 'REGISTER', data: { email: second, hash: 'h2' } })).toEqual({ success: true });
    expect(await getHash(second)).toEqual({ success: true, hash: 'h2' });
  });

  it('runs an UPDATE_HASH that reuses a REGISTER\'s message id', async () => {
    const [email, id] = [newEmail(), `reused-${randomUUID()}`];
    await send(id, { action: 'REGISTER', data: { email, hash: 'old' } });
    expect(await send(id, { action: 'UPDATE_HASH', data: { email, hash: 'new' } })).toEqual({ success: true });
    expect(await getHash(email)).toEqual({ success: true, hash: 'new' });
  });

  it('still answers a redelivered copy (same id, same data) with the first reply', async () => {
    const [email, id] = [newEmail(), `again-${randomUUID()}`];
    const register = { action: 'REGISTER', data: { email, hash: 'h' } };
    expect(await send(id, register)).toEqual({ success: true });
    expect(await send(id, register)).toEqual({ success: true });
    expect(await send(`other-${randomUUID()}`, register)).toMatchObject({ success: false });
  });
});
