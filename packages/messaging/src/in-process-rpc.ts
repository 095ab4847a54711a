import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Reply, RequestInput } from '@gatehouse/protocol';
import { RpcTimeoutError, RpcUnavailableError } from './errors.js';
import type { CallOptions, RequestHandler, RpcClient } from './rpc-types.js';
import { serveRequest } from './serve-request.js';
import { isUsableRequestId, newRequestId } from './request-trace.js';

/**
 * The embedded mode's transport: the same JSON messages and the same validation as over
 * AMQP, handed to the Back End's handler inside this process.
 */
export class InProcessRpc implements RpcClient {
  #closed = false;

  constructor(
    private readonly handle: RequestHandler,
    private readonly timeoutMs = 5000,
    private readonly logger?: Logger,
  ) {}

  isReady(): boolean {
    return !this.#closed;
  }

  async call(request: RequestInput, options: CallOptions = {}): Promise<Reply> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const body = Buffer.from(JSON.stringify(request));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RpcTimeoutError(request.action, timeoutMs)), timeoutMs);
    });
    try {
      // A handler that throws (its database is down) is what a lost reply is over AMQP: unavailable.
      const reqId = isUsableRequestId(options.reqId) ? options.reqId : newRequestId();
      // No transit to allow for: the handler's deadline is the caller's own.
      const meta = { requestId: randomUUID(), reqId, logger: this.logger?.child({ reqId }), deadline: performance.now() + timeoutMs };
      const served = serveRequest(body, meta, this.handle).catch((err: unknown) => {
        throw new RpcUnavailableError(request.action, err);
      });
      const { reply } = await Promise.race([served, timeout]);
      return JSON.parse(JSON.stringify(reply)) as Reply;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
