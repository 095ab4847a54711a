import type { Reply, Request } from '@gatehouse/protocol';
import { Messages } from '@gatehouse/protocol';
import type { CallOptions, RpcClient } from '@gatehouse/messaging';

/**
 * An in-memory Back End behind the RpcClient interface. It answers exactly as the
 * textbook's Back End does and records every request so tests can inspect them.
 */
export class FakeRpc implements RpcClient {
  readonly users = new Map<string, string>();
  readonly requests: Request[] = [];
  ready = true;
  /** When set, the next calls fail with this error instead of answering. */
  failWith: Error | undefined;

  async call(request: Request, _options?: CallOptions): Promise<Reply> {
    this.requests.push(structuredClone(request));
    if (this.failWith) throw this.failWith;
    switch (request.action) {
      case 'REGISTER':
        if (this.users.has(request.data.email)) return { success: false, message: Messages.userExists };
        this.users.set(request.data.email, request.data.hash);
        return { success: true };
      case 'GETHASH': {
        const hash = this.users.get(request.data.email);
        return hash === undefined ? { success: false } : { success: true, hash };
      }
    }
  }

  isReady(): boolean {
    return this.ready;
  }

  async close(): Promise<void> {
    this.ready = false;
  }
}
