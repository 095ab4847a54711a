import { describe, expect, it } from 'vitest';
import type { Request } from '@gatehouse/protocol';
import { InProcessRpc, RpcTimeoutError, RpcUnavailableError, serveRequest, type RequestHandler } from '../src/index.js';

const echo: RequestHandler = async (request) => ({ success: true, message: request.action });

describe('serveRequest', () => {
  it('hands a valid request to the handler with its metadata', async () => {
    const seen: unknown[] = [];
    const handler: RequestHandler = async (request, meta) => (seen.push([request, meta]), { success: true });
    const outcome = await serveRequest(Buffer.from('{"action":"GETHASH","data":{"email":"a@b.io"}}'), { requestId: 'r1' }, handler);
    expect(outcome).toEqual({ reply: { success: true }, malformed: false });
    // The id reaches the handler scoped to the action and a digest of the request (idempotency-key.ts).
    expect(seen).toEqual([[{ action: 'GETHASH', data: { email: 'a@b.io' } }, { requestId: expect.stringMatching(/^r1\/GETHASH\/[\w-]{43}$/) }]]);
  });

  it('answers a malformed body itself and never calls the handler', async () => {
    let called = false;
    const outcome = await serveRequest(Buffer.from('not json'), {}, async () => ((called = true), { success: true }));
    expect(outcome.malformed).toBe(true);
    expect(outcome.reply.success).toBe(false);
    expect(called).toBe(false);
  });
});

describe('InProcessRpc', () => {
  it('carries a request through the same protocol as AMQP', async () => {
    const rpc = new InProcessRpc(echo);
    expect(await rpc.call({ action: 'GETHASH', data: { email: 'a@b.io' } })).toEqual({ success: true, message: 'GETHASH' });
    expect(rpc.isReady()).toBe(true);
  });

  it('validates requests like the AMQP server does', async () => {
    const rpc = new InProcessRpc(echo);
    const reply = await rpc.call({ action: 'GETHASH', data: { email: 'nope' } } as Request);
    expect(reply).toMatchObject({ success: false, message: expect.stringContaining('data.email') });
  });

  it('rejects with RpcTimeoutError when the handler is too slow', async () => {
    const rpc = new InProcessRpc(() => new Promise(() => undefined), 20);
    await expect(rpc.call({ action: 'GETHASH', data: { email: 'a@b.io' } })).rejects.toBeInstanceOf(RpcTimeoutError);
  });

  it('reports a handler that throws (its database is down) as RpcUnavailableError, so the page is a 503', async () => {
    const rpc = new InProcessRpc(async () => Promise.reject(new Error('connect ECONNREFUSED')));
    const call = rpc.call({ action: 'GETHASH', data: { email: 'a@b.io' } });
    await expect(call).rejects.toBeInstanceOf(RpcUnavailableError);
    await expect(call).rejects.toThrow(/GETHASH.*ECONNREFUSED/);
  });

  it('is not ready once closed', async () => {
    const rpc = new InProcessRpc(echo);
    await rpc.close();
    expect(rpc.isReady()).toBe(false);
  });
});
