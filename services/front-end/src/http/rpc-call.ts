import type { FastifyRequest } from 'fastify';
import { RpcTimeoutError, type RpcClient } from '@gatehouse/messaging';
import type { Reply, RequestInput } from '@gatehouse/protocol';
import { remainingMs } from './request-deadline.js';

/**
 * Sends `message` on behalf of `request`, waiting only for the time the request has left: the
 * request's id travels along, so the Back End logs it too. A request already past its deadline
 * sends nothing (its caller is gone) and gets the 503 page as any timeout does.
 */
export function callFor(rpc: RpcClient, request: FastifyRequest, message: RequestInput): Promise<Reply> {
  const timeoutMs = Math.floor(remainingMs(request));
  if (timeoutMs < 1) return Promise.reject(new RpcTimeoutError(message.action, 0));
  return rpc.call(message, { reqId: request.id, timeoutMs });
}

/**
 * Sends `message` for work that outlives `request` (a refund sent after its caller was answered),
 * with the client's own timeout: the request's deadline may be what has just passed.
 */
export function callDetached(rpc: RpcClient, request: FastifyRequest, message: RequestInput): Promise<Reply> {
  return rpc.call(message, { reqId: request.id });
}
