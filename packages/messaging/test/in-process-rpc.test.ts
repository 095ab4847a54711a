import { describe, expect, it } from 'vitest';
import type { Request } from '@gatehouse/protocol';
import { pino } from 'pino';
import { InProcessRpc, RpcTimeoutError, RpcUnavailableError, serveRequest, type RequestHandler, type RequestMeta } from '../src/index.js';

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

describe('InProcessRpc carries the request id (request-trace.ts)', () => {
  const metaOf = async (reqId: string | undefined) => {
    const seen: RequestMeta[] = [];
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const rpc = new InProcessRpc(async (_request, meta) => (seen.push(meta), meta.logger?.info('handled'), { success: true }), 5000, logger);
    await rpc.call({ action: 'GETHASH', data: { email: 'a@b.io' } }, { reqId });
    return { meta: seen[0]!, line: JSON.parse(lines[0]!) as { reqId?: string } };
  };

  it("hands the caller's id to the handler, with a logger that stamps it on every line", async () => {
    const { meta, line } = await metaOf('req-42');
    expect(meta.reqId).toBe('req-42');
    expect(line.reqId).toBe('req-42');
    // Never part of the idempotency key.
    expect(meta.requestId).not.toContain('req-42');
  });

  it('makes a fresh id when the caller sent none or an unusable one', async () => {
    for (const given of [undefined, 'has space', 'x'.repeat(200)]) {
      const { meta, line } = await metaOf(given);
      expect(meta.reqId).toMatch(/^[0-9a-f-]{36}$/);
      expect(line.reqId).toBe(meta.reqId);
    }
  });
});
