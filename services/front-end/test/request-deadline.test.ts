import { describe, expect, it, vi } from 'vitest';
import type { FastifyRequest } from 'fastify';
import { RpcTimeoutError, type RpcClient } from '@gatehouse/messaging';
import { callFor } from '../src/http/rpc-call.js';
import { makeApp } from './helpers.js';

const stubRpc = () => ({ call: vi.fn(async () => ({ success: true })), isReady: () => true, close: async () => undefined }) satisfies RpcClient;
const requestWithin = (ms: number) => ({ id: 'req-1', deadlineAt: performance.now() + ms }) as FastifyRequest;

describe("a request's deadline, shared by its RPCs", () => {
  it('gives each call only the time the request has left', async () => {
    const rpc = stubRpc();
    await callFor(rpc, requestWithin(300), { action: 'GETHASH', data: { email: 'ada@example.com' } });
    const [, options] = rpc.call.mock.calls[0] as unknown as [unknown, { timeoutMs: number; reqId: string }];
    expect(options.reqId).toBe('req-1');
    expect(options.timeoutMs).toBeGreaterThan(250);
    expect(options.timeoutMs).toBeLessThanOrEqual(300);
  });

  it('sends nothing once the deadline has passed, and fails as a timeout (the 503 page)', async () => {
    const rpc = stubRpc();
    await expect(callFor(rpc, requestWithin(-1), { action: 'GETHASH', data: { email: 'ada@example.com' } })).rejects.toBeInstanceOf(RpcTimeoutError);
    expect(rpc.call).not.toHaveBeenCalled();
  });

  it('starts the clock when the request arrives, RPC_TIMEOUT_MS long', async () => {
    const { app } = await makeApp(undefined, { RPC_TIMEOUT_MS: '1234' });
    let left: number | undefined;
    app.get('/deadline-probe', async (request) => ((left = request.deadlineAt - performance.now()), 'ok'));
    await app.inject({ method: 'GET', url: '/deadline-probe' });
    await app.close();
    expect(left).toBeGreaterThan(1000);
    expect(left).toBeLessThanOrEqual(1234);
  });
});
