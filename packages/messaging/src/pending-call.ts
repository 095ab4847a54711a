import { randomUUID } from 'node:crypto';
import { decodeJson, replySchema, type Reply } from '@gatehouse/protocol';
import { RpcBadReplyError, RpcTimeoutError } from './errors.js';

/** How a call ended. Only after a reply is its reply queue known to be empty, and so reusable. */
export type CallEnd = 'replied' | 'failed';

/**
 * One request waiting for its reply. It ends exactly once: by a reply, a failure or its
 * timeout. Then whatever was held for it (its entry in the channel's table, its reply
 * queue) is let go, whichever way it ended.
 */
export class PendingCall {
  /** The correlation id, and the Back End's idempotency key. */
  readonly id = randomUUID();
  /** When the caller stops waiting (performance.now() time): every copy sent carries what is left of it. */
  readonly deadline: number;
  #ended = false;
  readonly #timer: NodeJS.Timeout;
  readonly #releases: ((end: CallEnd) => void)[] = [];

  constructor(
    readonly action: string,
    timeoutMs: number,
    private readonly resolve: (reply: Reply) => void,
    private readonly reject: (err: Error) => void,
  ) {
    this.deadline = performance.now() + timeoutMs;
    this.#timer = setTimeout(() => this.fail(new RpcTimeoutError(action, timeoutMs)), timeoutMs);
  }

  /** Whole milliseconds until the caller stops waiting (0 once it has). */
  remainingMs(): number {
    return Math.max(0, Math.floor(this.deadline - performance.now()));
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Runs `release` when the call ends, or at once if it already has. */
  onEnd(release: (end: CallEnd) => void): void {
    if (this.#ended) release('failed');
    else this.#releases.push(release);
  }

  /** The reply's bytes arrived (undefined: unreadable). */
  settle(body: Buffer | undefined): void {
    if (!this.#end('replied')) return;
    const decoded = body ? decodeJson(body) : { ok: false as const, message: 'unreadable body' };
    const parsed = decoded.ok ? replySchema.safeParse(decoded.value) : undefined;
    if (parsed?.success) this.resolve(parsed.data);
    else this.reject(new RpcBadReplyError(this.action, decoded.ok ? 'not a protocol reply' : decoded.message));
  }

  fail(err: Error): void {
    if (this.#end('failed')) this.reject(err);
  }

  #end(end: CallEnd): boolean {
    if (this.#ended) return false;
    this.#ended = true;
    clearTimeout(this.#timer);
    for (const release of this.#releases.splice(0)) release(end);
    return true;
  }
}
