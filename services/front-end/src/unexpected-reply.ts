/** The Back End answered with something the protocol does not allow here (shown as a 502). */
export class UnexpectedReplyError extends Error {
  override readonly name = 'UnexpectedReplyError';
  readonly statusCode = 502;
  constructor(action: string, detail: string) {
    super(`Unexpected ${action} reply: ${detail}`);
  }
}
