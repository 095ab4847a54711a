/** One small HTTP client for the servers' admin APIs (RabbitMQ management, Patroni, etcd, /readyz). */
export interface HttpRequestOptions {
  method?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Basic auth as [user, password]. */
  auth?: readonly [string, string];
  timeoutMs?: number;
}

export interface HttpAnswer {
  status: number;
  /** The parsed JSON, the text when it is not JSON, or undefined when empty. */
  body: unknown;
}

/** Sends one request and reads the whole answer; network failures and timeouts throw. */
export async function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpAnswer> {
  const headers: Record<string, string> = {};
  if (options.auth) headers.authorization = `Basic ${Buffer.from(options.auth.join(':')).toString('base64')}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 2000),
  });
  return { status: res.status, body: parseBody(await res.text()) };
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
