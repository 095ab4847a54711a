import { createHash } from 'node:crypto';
import type { Request } from '@gatehouse/protocol';

/**
 * The key a write is run once under: the sender's id scoped to the action and a digest of the
 * validated request. A redelivered copy maps to the same key; a reused or forged id with other
 * data does not, so it can never be answered with another request's stored reply.
 * The digest is of the parsed request, whose fields come in the schema's order (canonical).
 */
export function idempotencyKey(requestId: string | undefined, request: Request): string | undefined {
  if (!requestId) return undefined;
  const digest = createHash('sha256').update(JSON.stringify(request)).digest('base64url');
  return `${requestId}/${request.action}/${digest}`;
}
