/**
 * The caller's remaining time, carried in each request message: milliseconds left when this copy
 * was published. Relative, not a clock time, so the hosts' clocks need not agree. The message's
 * expiration is the same number, so the broker drops a copy that waited in the queue past it;
 * the time a delivered copy spent in the queue is not known to the Back End, which is why it
 * also keeps a margin (REPLY_TRANSIT_MS). Textbook clients send no header: no deadline, as before.
 */
export const REMAINING_MS_HEADER = 'x-remaining-ms';

/** The Back End stops this long before the caller's deadline: its reply has to travel back in time. */
export const REPLY_TRANSIT_MS = 250;

/** More than a day is no RPC's remaining time: such a header is malformed. */
const MAX_REMAINING_MS = 86_400_000;

export type DeadlineHeader =
  | { ok: true; deadline: number | undefined }
  | { ok: false; reason: string };

/**
 * The local deadline (performance.now() time) a message's header gives, counted from its
 * arrival `receivedAt`; undefined without a header. A malformed header is reported, not thrown.
 */
export function deadlineFromHeaders(headers: Record<string, unknown> | undefined, receivedAt = performance.now()): DeadlineHeader {
  const value = headers?.[REMAINING_MS_HEADER];
  if (value === undefined) return { ok: true, deadline: undefined };
  const ms = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value;
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > MAX_REMAINING_MS) {
    return { ok: false, reason: `${REMAINING_MS_HEADER} must be an integer from 0 to ${MAX_REMAINING_MS}` };
  }
  return { ok: true, deadline: receivedAt + ms - REPLY_TRANSIT_MS };
}

/** True once `deadline` (if any) has passed. */
export function isPast(deadline: number | undefined): boolean {
  return deadline !== undefined && performance.now() >= deadline;
}
