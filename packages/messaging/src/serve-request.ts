import { parseRequest, type Reply } from '@gatehouse/protocol';
import type { RequestHandler, RequestMeta } from './rpc-types.js';

export interface Outcome {
  reply: Reply;
  /** True when the body was not a valid request, so no handler ran. */
  malformed: boolean;
}

/** What every transport does with a request body: validate it, then hand it to the handler. */
export async function serveRequest(body: unknown, meta: RequestMeta, handle: RequestHandler): Promise<Outcome> {
  const parsed = parseRequest(body);
  if (!parsed.ok) return { reply: parsed.reply, malformed: true };
  return { reply: await handle(parsed.request, meta), malformed: false };
}
