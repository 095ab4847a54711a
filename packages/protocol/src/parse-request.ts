import type { z } from 'zod';
import { decodeJson, type DecodedJson } from './decode-json.js';
import { Messages } from './messages.js';
import { requestSchemas, type ActionName, type Reply, type Request } from './schemas.js';

/** Requests larger than this are refused before JSON parsing. */
export const MAX_REQUEST_BYTES = 64 * 1024;

/**
 * RabbitMQ's `max_message_size` in every broker configuration we ship: the broker refuses a
 * bigger message before any client parses it (rabbitmq-client parses JSON bodies before our
 * check). Headroom above MAX_REQUEST_BYTES, so a request just over it still gets its error reply.
 */
export const BROKER_MAX_MESSAGE_BYTES = 2 * MAX_REQUEST_BYTES;

export type ParseResult = { ok: true; request: Request } | { ok: false; reply: Reply };

const fail = (message: string): ParseResult => ({ ok: false, reply: { success: false, message } });

/** Turns a message body, as raw bytes or text, into a validated request. */
export function parseRequest(body: Buffer | string): ParseResult {
  const decoded = decodeBody(body);
  if (!decoded.ok) return fail(decoded.message);
  const value = decoded.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('Request must be a JSON object');
  }
  if (!('action' in value) || value.action === undefined || value.action === null) {
    return fail(Messages.noAction);
  }
  const action = value.action;
  if (typeof action !== 'string' || !Object.hasOwn(requestSchemas, action)) {
    return fail(Messages.unknownAction);
  }
  const parsed = requestSchemas[action as ActionName].safeParse(value);
  if (!parsed.success) return fail(describeIssues(parsed.error));
  return { ok: true, request: parsed.data };
}

function decodeBody(body: Buffer | string): DecodedJson {
  const size = Buffer.isBuffer(body) ? body.length : Buffer.byteLength(body);
  if (size > MAX_REQUEST_BYTES) return { ok: false, message: `Request is larger than ${MAX_REQUEST_BYTES} bytes` };
  return decodeJson(body);
}

/** One line naming each bad field, e.g. "data.email: email is not a valid address". */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}
