/** Base of every failure the RPC client reports; the Front End answers any of them with 503. */
export class RpcError extends Error {}

/** No reply arrived within the call's timeout. */
export class RpcTimeoutError extends RpcError {
  override readonly name = 'RpcTimeoutError';
  constructor(readonly action: string, readonly timeoutMs: number) {
    super(`No reply to ${action} within ${timeoutMs} ms`);
  }
}

/** The request could not be handed to the broker (it is down or refused the publish). */
export class RpcUnavailableError extends RpcError {
  override readonly name = 'RpcUnavailableError';
  constructor(readonly action: string, cause: unknown) {
    super(`Could not send ${action}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/** The reply was not a protocol reply (a foreign or broken Back End). */
export class RpcBadReplyError extends RpcError {
  override readonly name = 'RpcBadReplyError';
  constructor(readonly action: string, detail: string) {
    super(`Malformed reply to ${action}: ${detail}`);
  }
}

/** The request queue exists with other arguments than ours; redeclaring it would fail forever. */
export class QueueMismatchError extends Error {
  override readonly name = 'QueueMismatchError';
  constructor(readonly queue: string, readonly mode: string, cause: unknown) {
    super(
      `Queue "${queue}" already exists with arguments that do not match REQUEST_QUEUE_MODE=${mode}. ` +
        `Delete the queue (rabbitmqctl delete_queue ${queue}) or set REQUEST_QUEUE_MODE to match how it was declared.`,
      { cause },
    );
  }
}
