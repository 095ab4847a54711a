import { randomUUID } from 'node:crypto';

/**
 * The id that follows one request through every tier's logs: the Front End's HTTP header
 * and the AMQP message header that carries it to the Back End. It is for logs only: it is
 * never part of the idempotency key (idempotency-key.ts hashes the body, not headers).
 */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Ids we accept from elsewhere: short, and nothing that could break a log line or a header. */
const USABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function isUsableRequestId(value: unknown): value is string {
  return typeof value === 'string' && USABLE_ID.test(value);
}

export function newRequestId(): string {
  return randomUUID();
}

/** The id a message's headers carry, if usable; the textbook's clients send none, so they get a fresh one. */
export function requestIdFromHeaders(headers: Record<string, unknown> | undefined): string {
  const given = headers?.[REQUEST_ID_HEADER];
  return isUsableRequestId(given) ? given : newRequestId();
}
