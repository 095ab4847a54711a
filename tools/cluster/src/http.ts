/** Small HTTP helpers for the servers' admin APIs (Patroni, RabbitMQ management, etcd, /readyz). */
export interface HttpOptions {
  method?: string;
  body?: unknown;
  /** Basic auth as [user, password]. */
  auth?: [string, string];
  timeoutMs?: number;
}

export async function request(url: string, options: HttpOptions = {}): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = {};
  if (options.auth) headers.authorization = `Basic ${Buffer.from(options.auth.join(':')).toString('base64')}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 2000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body };
}

/** The JSON body of a 2xx answer, or undefined for anything else (including no answer). */
export async function getJson<T>(url: string, options: HttpOptions = {}): Promise<T | undefined> {
  try {
    const { status, body } = await request(url, options);
    return status >= 200 && status < 300 ? (body as T) : undefined;
  } catch {
    return undefined;
  }
}

/** True when the URL answers with the given status. */
export async function answers(url: string, status = 200, options: HttpOptions = {}): Promise<boolean> {
  try {
    return (await request(url, options)).status === status;
  } catch {
    return false;
  }
}
