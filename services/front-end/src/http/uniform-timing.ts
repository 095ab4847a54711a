import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply } from 'fastify';

/**
 * "Forgot password" and "send the link again" answer the same for every address, and must take
 * the same time too: a known address costs the Back End a token, a mail and an audit row, an
 * unknown one a lookup. Their answer waits until this long after the request arrived, which the
 * Back End's work fits well inside unless the system is overloaded.
 */
export const UNIFORM_ANSWER_MS = 400;

/** Waits until `floorMs` after the request arrived (at once if that has passed). */
export async function answerNoSoonerThan(reply: FastifyReply, floorMs: number): Promise<void> {
  const wait = floorMs - reply.elapsedTime;
  if (wait > 0) await sleep(wait);
}
