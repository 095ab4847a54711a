/** The parts of a delivered message that say how rabbitmq-client decoded its body. */
export interface DeliveredBody {
  body: unknown;
  contentType?: string;
  contentEncoding?: string;
}

/**
 * The message's bytes, whatever rabbitmq-client made of them: it parses `application/json`
 * bodies and turns `text/plain` into a string before we see them. Turning them back into
 * bytes means size limits and JSON parsing happen once, in one place (parseRequest).
 * Undefined when the decoded value cannot be serialised again (nesting too deep).
 */
export function rawBody({ body, contentType, contentEncoding }: DeliveredBody): Buffer | undefined {
  if (Buffer.isBuffer(body)) return body;
  const decodedJson = contentType === 'application/json' && !contentEncoding;
  if (typeof body === 'string' && !decodedJson) return Buffer.from(body, 'utf8');
  try {
    return Buffer.from(JSON.stringify(body) ?? 'null', 'utf8');
  } catch {
    return undefined;
  }
}
