import { createHash } from 'node:crypto';
import type { Request } from '@gatehouse/protocol';

/**
 * The key a write is run once under: the sender's id scoped to the action and a digest of the
 * request's bytes. A redelivered copy (the same bytes) maps to the same key; a reused or forged
 * id with other data does not, so it can never be answered with another request's stored reply.
 * The bytes, not the parsed request: hashing them cannot overflow the stack on deep nesting.
 */
export function idempotencyKey(requestId: string | undefined, request: Request, body: Buffer): string | undefined {
  if (!requestId) return undefined;
  return `${requestId}/${request.action}/${createHash('sha256').update(body).digest('base64url')}`;
}
