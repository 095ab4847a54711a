import type { Logger } from 'pino';
import type { Reply, Request, RequestInput } from '@gatehouse/protocol';

export interface CallOptions {
  /** Overrides the client's default timeout for this call. */
  timeoutMs?: number;
  /** The HTTP request's id, sent in the message's headers so the Back End logs it too (request-trace.ts). */
  reqId?: string;
}

/** What the Front End needs from Messaging: send a request, get its reply. */
export interface RpcClient {
  /** Resolves with the reply; rejects with RpcTimeoutError when none arrives in time. */
  call(request: RequestInput, options?: CallOptions): Promise<Reply>;
  /** True while requests can be carried (for /readyz). */
  isReady(): boolean;
  close(): Promise<void>;
}

/**
 * Metadata a processor may use. The handler's requestId is the idempotency key when the sender
 * set an id: that id scoped to the action and a digest of the body (idempotency-key.ts).
 */
export interface RequestMeta {
  requestId?: string;
  /** The id of the request this message serves, for logs only (request-trace.ts); never part of the key. */
  reqId?: string;
  /** A logger whose every line carries `reqId`. */
  logger?: Logger;
  /**
   * When the caller stops waiting, as a local performance.now() time (request-deadline.ts): no
   * work should start or be retried after it. Undefined for callers that send none (the textbook's).
   */
  deadline?: number;
}

/**
 * The Back End's side: answers one validated request.
 * It throws only for infrastructure failures (database down), never for bad input.
 */
export type RequestHandler = (request: Request, meta: RequestMeta) => Promise<Reply>;
