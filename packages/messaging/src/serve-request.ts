import { parseRequest, type Reply } from '@gatehouse/protocol';
import { idempotencyKey } from './idempotency-key.js';
import type { RequestHandler, RequestMeta } from './rpc-types.js';

export interface Outcome {
  reply: Reply;
  /** True when the body was not a valid request, so no handler ran. */
  malformed: boolean;
}

/**
 * What every transport does with a request's bytes: validate them, then hand the request to the
 * handler, with the sender's id turned into an idempotency key scoped to this request.
 */
export async function serveRequest(body: Buffer | undefined, meta: RequestMeta, handle: RequestHandler): Promise<Outcome> {
  if (!body) return { reply: { success: false, message: 'Request could not be read (nested too deeply)' }, malformed: true };
  const parsed = parseRequest(body);
  if (!parsed.ok) return { reply: parsed.reply, malformed: true };
  const scoped = { ...meta, requestId: idempotencyKey(meta.requestId, parsed.request, body) };
  return { reply: await handle(parsed.request, scoped), malformed: false };
}
