import type { FastifyRequest } from 'fastify';
import type { RpcClient } from '@gatehouse/messaging';
import type { Reply, RequestInput } from '@gatehouse/protocol';

/** Sends `message` on behalf of `request`: the request's id travels along, so the Back End logs it too. */
export function callFor(rpc: RpcClient, request: FastifyRequest, message: RequestInput): Promise<Reply> {
  return rpc.call(message, { reqId: request.id });
}
