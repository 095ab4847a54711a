/** The AMQP basic properties a fuzz case may set (besides reply_to and correlation_id, which the runner owns). */
export interface AmqpProps {
  contentType?: string;
  contentEncoding?: string;
  headers?: Record<string, unknown>;
  priority?: number;
  durable?: boolean;
  messageId?: string;
  type?: string;
  appId?: string;
  timestamp?: number;
}

export interface AmqpCase {
  /** The generator that made it, for the summary and for failure reports. */
  kind: string;
  body: Buffer;
  /** False: published without reply_to (nobody can be answered; malformed ones must be dead-lettered). */
  replyTo: boolean;
  props: AmqpProps;
}
